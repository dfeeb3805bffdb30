package views

import (
	"context"
	"strconv"
	"time"
)

// AdoptionModel is the MFA adoption report: today's counts, the chart of
// the last Days days and the same numbers as a table.
type AdoptionModel struct {
	Days     int
	Periods  []int // the choices of Days
	From, To string
	Current  []AdoptionShare // every category, strongest first
	Total    int
	Chart    AdoptionChart
	Rows     []AdoptionRow // one per day with a snapshot, oldest first
}

// AdoptionShare is today's count of one category.
type AdoptionShare struct {
	Category  string
	Customers int
	Permille  int // share of all customers, in tenths of a percent
}

// AdoptionRow is one day of the history; Counts follow Current's order.
type AdoptionRow struct {
	Day    string
	Counts []int
}

// AdoptionChart is the chart laid out in SVG user units.
type AdoptionChart struct {
	Width, Height            int
	Left, Right, Top, Bottom float64 // the plot area
	XTicks, YTicks           []ChartTick
	Series                   []ChartSeries
}

// ChartTick is an axis label at a position along its axis.
type ChartTick struct {
	Pos   float64
	Label string
}

// ChartSeries is one category's line with its points and end label.
type ChartSeries struct {
	Category       string
	Polyline       string // "x,y x,y …"
	Points         []ChartPoint
	LabelX, LabelY float64
}

// ChartPoint is one day's count on the chart.
type ChartPoint struct {
	X, Y      float64
	Day       string
	Customers int
}

// ActionsForm is the actions report's period as typed (JST dates).
type ActionsForm struct {
	From string
	To   string
}

// ActionsColumn is one counted action with one result.
type ActionsColumn struct {
	ID  string // for tests and scripts
	Key string // message key of the heading
}

// ActionsModel is the support actions counted per organisation.
type ActionsModel struct {
	Form        ActionsForm
	FieldErrors map[string]Message // field → its message
	Columns     []ActionsColumn
	Rows        []ActionsRow
	Totals      []int // per column, then the grand total
}

// ActionsRow is one organisation; Counts follow Columns, then the total.
type ActionsRow struct {
	OrgID   string
	OrgName string
	Counts  []int
}

// LockoutList is one list of customers a phase locks out, with the date
// of that phase.
type LockoutList struct {
	Name    string
	Phase   time.Time
	InForce bool
}

// LockoutsModel is one page of a lockout list.
type LockoutsModel struct {
	Lists     []LockoutList // the lists offered
	List      LockoutList   // the one shown
	Customers []LockoutRow
	NextHref  string
	FirstHref string
	CSVHref   string
	// OutreachHref leads to the list's reminders, for those who may send
	// them ("" otherwise).
	OutreachHref string
}

// LockoutRow is one listed customer, contact data masked.
type LockoutRow struct {
	AccountNumber string
	Name          string
	Kana          string
	Category      string
	Email         string
	Phone         string
}

// CategoryKey is the message key naming an adoption category.
func CategoryKey(cat string) string {
	switch cat {
	case "passkey":
		return "ui.console.reports.category.passkey"
	case "app":
		return "ui.console.reports.category.app"
	case "sms":
		return "ui.console.reports.category.sms"
	case "email":
		return "ui.console.reports.category.email"
	}
	return "ui.console.reports.category.no_email"
}

// seriesDash gives each category's line its own dash pattern, so the
// lines differ by more than colour (WCAG 1.4.1).
func seriesDash(cat string) string {
	switch cat {
	case "app":
		return "12 4"
	case "sms":
		return "4 4"
	case "email":
		return "12 4 2 4"
	case "no_email":
		return "2 3"
	}
	return "none"
}

func lockoutListKey(name string) string {
	if name == "no_passkey" {
		return "ui.console.reports.lockouts.list.no_passkey"
	}
	return "ui.console.reports.lockouts.list.no_email"
}

func lockoutListHelpKey(name string) string {
	if name == "no_passkey" {
		return "ui.console.reports.lockouts.help.no_passkey"
	}
	return "ui.console.reports.lockouts.help.no_email"
}

func lockoutPhaseText(ctx context.Context, l LockoutList) string {
	if l.InForce {
		return T(ctx, "ui.console.reports.lockouts.phase_in_force", DateIn(ctx, l.Phase))
	}
	return T(ctx, "ui.console.reports.lockouts.phase_upcoming", DateIn(ctx, l.Phase))
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func percent(permille int) string { return itoa(permille/10) + "." + itoa(permille%10) + "%" }
