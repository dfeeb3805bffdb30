package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/notify"
)

// Outreach: registration reminders to the customers a coming enforcement
// phase locks out (a lockout list), by email or SMS, else by a reminder
// letter in the print queue when a postal address is on record, and the
// list of those with neither channel. A supervisor or admin sees a dry
// run's counts first, then confirms (docs/operations.md, "Outreach").

// OutreachRunCap bounds the customers one run covers, so one write
// transaction queues at most that many messages; the next run (the next
// day) continues after the last customer covered.
const OutreachRunCap = 2000

// Errors of outreach.
var (
	ErrOutreachSent  = errors.New("this list's reminders were already sent today")
	ErrOutreachEmpty = errors.New("nobody on the list to remind")
)

// OutreachPlan is what a run of a list would do now: the customers it
// covers and how each is reached.
type OutreachPlan struct {
	List      string
	Key       string // the run's unique key: list and JST day
	AfterID   int64  // the run covers the list's customers after this id
	Customers []data.OutreachCustomer
	Email     int
	SMS       int
	Letters   int  // reachable by neither channel, with a postal address: a letter
	NoAddress int  // reachable by neither channel and without an address
	Complete  bool // the run reaches the end of the list
	// LastRun is the list's newest run, nil if none; SentToday: it has
	// this run's key, so no run can be sent today.
	LastRun   *data.OutreachRun
	SentToday bool
}

// ReminderChannel is how a reminder reaches c: a verified email first,
// else a verified phone by SMS, else nothing ("": a letter).
func ReminderChannel(c data.OutreachCustomer) (channel, to string) {
	switch {
	case c.Email != "":
		return notify.Email, c.Email
	case c.Phone != "":
		return notify.SMS, c.Phone
	}
	return "", ""
}

// PlanOutreach is the dry run of list: nothing is written.
func (s *Service) PlanOutreach(ctx context.Context, list string) (OutreachPlan, error) {
	p := OutreachPlan{List: list, Key: list + ":" + ReportDay(s.DB.Now())}
	last, err := s.DB.LastOutreachRun(ctx, list)
	if err != nil && !errors.Is(err, data.ErrNotFound) {
		return OutreachPlan{}, err
	}
	if last != nil {
		p.LastRun, p.SentToday = last, last.Key == p.Key
		if !last.Complete {
			p.AfterID = last.LastID
		}
	}
	if p.Customers, err = s.DB.OutreachCustomers(ctx, list, p.AfterID, OutreachRunCap); err != nil {
		return OutreachPlan{}, err
	}
	p.Complete = len(p.Customers) < OutreachRunCap
	for _, c := range p.Customers {
		switch channel, _ := ReminderChannel(c); channel {
		case notify.Email:
			p.Email++
		case notify.SMS:
			p.SMS++
		default:
			if c.Address.Postcode != "" {
				p.Letters++
			} else {
				p.NoAddress++
			}
		}
	}
	return p, nil
}

// SendOutreach runs list's reminders as st: the run's record (unique per
// list and day), its messages, held back in the outbox to leave one per
// Config.OutreachInterval, its reminder letters in the print queue (valid
// until phase), and one audit event with the counts, in one transaction. A second run the same day, however parallel, queues
// nothing: ErrOutreachSent, audited.
func (s *Service) SendOutreach(ctx context.Context, st *data.Staff, clientIP, list string, phase time.Time) (OutreachPlan, error) {
	p, err := s.PlanOutreach(ctx, list)
	if err != nil {
		return OutreachPlan{}, err
	}
	if len(p.Customers) == 0 {
		return p, ErrOutreachEmpty
	}
	e := StaffEvent(st, clientIP)
	e.Action = "outreach.send"
	run := &data.OutreachRun{Key: p.Key, List: list, StaffID: st.ID, AfterID: p.AfterID,
		LastID: p.Customers[len(p.Customers)-1].ID, Complete: p.Complete, Email: p.Email, SMS: p.SMS, Letters: p.Letters,
		NoAddress: p.NoAddress}
	var result error
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		created, err := tx.CreateOutreachRun(ctx, run)
		if err != nil {
			return err
		}
		if !created {
			result = ErrOutreachSent
			e.Outcome, e.Detail = "refused:already_sent", "list="+list
			return tx.Audit(ctx, e)
		}
		next := tx.Now()
		for _, c := range p.Customers {
			channel, to := ReminderChannel(c)
			if channel == "" {
				if err := queueReminderLetter(ctx, tx, c, list, phase); err != nil {
					return err
				}
				continue
			}
			m := notify.RegistrationReminder(list, channel, phase).In(c.Lang)
			if err := notify.QueueLater(ctx, tx, c.ID, channel, to, m, next); err != nil {
				return err
			}
			next = next.Add(s.Config.OutreachInterval)
		}
		e.Outcome = "success"
		e.Detail = fmt.Sprintf("list=%s email=%d sms=%d letters=%d no_address=%d after=%d last=%d complete=%t",
			list, p.Email, p.SMS, p.Letters, p.NoAddress, run.AfterID, run.LastID, run.Complete)
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return OutreachPlan{}, err
	}
	return p, result
}

// queueReminderLetter queues c's reminder letter when a postal address is
// on record (else nothing reaches c): no code and no case; it is printed
// in c's language and stops being printable when phase begins.
func queueReminderLetter(ctx context.Context, tx *data.Tx, c data.OutreachCustomer, list string, phase time.Time) error {
	if c.Address.Postcode == "" {
		return nil
	}
	_, err := tx.QueuePostalLetter(ctx, &data.PostalLetter{CustomerID: c.ID, Kind: data.LetterKindReminder,
		Address: c.Address, Name: c.Name, List: list, Phase: phase, Lang: c.Lang, ExpiresAt: phase})
	return err
}

// OutreachLetterCustomers lists up to limit customers of list, with ids
// above afterID, whom no reminder can reach (no verified email or phone):
// those need a letter. next is the id to continue after (0: the list's
// end). It reads the list in chunks, so a long list stays in bounds.
func (s *Service) OutreachLetterCustomers(ctx context.Context, list string, afterID int64, limit int) (found []data.OutreachCustomer, next int64, err error) {
	for len(found) < limit {
		chunk, err := s.DB.OutreachCustomers(ctx, list, afterID, OutreachRunCap)
		if err != nil {
			return nil, 0, err
		}
		for i, c := range chunk {
			if channel, _ := ReminderChannel(c); channel == "" {
				found = append(found, c)
				if len(found) == limit {
					if i == len(chunk)-1 && len(chunk) < OutreachRunCap {
						return found, 0, nil
					}
					return found, c.ID, nil
				}
			}
		}
		if len(chunk) < OutreachRunCap {
			return found, 0, nil
		}
		afterID = chunk[len(chunk)-1].ID
	}
	return found, afterID, nil
}
