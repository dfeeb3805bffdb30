package main

import (
	"context"
	"fmt"
	"strings"
)

// refuseDemoData fails when the database holds demo data: its accounts'
// passwords are published in the README, so production must not serve
// them (docs/operations.md, "Importing customers").
func refuseDemoData(ctx context.Context, app *App) error {
	ids := make([]string, len(demoCustomers))
	for i, d := range demoCustomers {
		ids[i] = d.customer.LoginID
	}
	found, err := app.DB.DemoDataFound(ctx, ids)
	if err != nil {
		return err
	}
	clients, err := demoClientsFound(ctx, app.DB)
	if err != nil {
		return err
	}
	found = append(found, clients...)
	if len(found) > 0 {
		return fmt.Errorf("refusing production on a database with demo data (%s): its passwords are published; "+
			"start from a new database and load the customers with mfadesk customers import", strings.Join(found, ", "))
	}
	return nil
}
