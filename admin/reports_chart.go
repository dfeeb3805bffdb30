package admin

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/views"
)

// The adoption chart's geometry, in the SVG's user units. The chart is a
// line per category over the period's days; the page's CSS scales it.
const (
	chartWidth  = 720
	chartHeight = 360
	plotLeft    = 72  // room for the count labels
	plotRight   = 530 // room for the lines' end labels (long in Japanese)
	plotTop     = 16
	plotBottom  = 300 // room for the date labels and the axis title
	yTickCount  = 4
	// endLabelGap keeps the end labels of close lines apart.
	endLabelGap = 16
)

// adoptionChart lays out the snapshots of the days days up to now: x is
// the day, y the customers. Days without a snapshot have no point; the
// line joins the days that have one.
func adoptionChart(now time.Time, days int, snaps []data.AdoptionSnapshot) views.AdoptionChart {
	first := now.In(jst.Zone).AddDate(0, 0, 1-days)
	first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, jst.Zone)
	maxCount := 0
	for _, s := range snaps {
		for _, n := range s.Counts {
			maxCount = max(maxCount, n)
		}
	}
	step := niceStep(maxCount)
	yMax := step * yTickCount
	xOf := func(d string) float64 {
		t, err := time.ParseInLocation(time.DateOnly, d, jst.Zone)
		if err != nil {
			return plotLeft
		}
		i := math.Round(t.Sub(first).Hours() / 24)
		if days == 1 {
			return plotLeft
		}
		return plotLeft + i*(plotRight-plotLeft)/float64(days-1)
	}
	yOf := func(n int) float64 {
		return plotBottom - float64(n)*(plotBottom-plotTop)/float64(yMax)
	}
	ch := views.AdoptionChart{Width: chartWidth, Height: chartHeight, Left: plotLeft, Right: plotRight,
		Top: plotTop, Bottom: plotBottom}
	for i := 0; i <= yTickCount; i++ {
		ch.YTicks = append(ch.YTicks, views.ChartTick{Pos: yOf(i * step), Label: fmt.Sprint(i * step)})
	}
	// Dates at the start, the end and three points between.
	for i := 0; i <= 4; i++ {
		d := first.AddDate(0, 0, i*(days-1)/4)
		ch.XTicks = append(ch.XTicks, views.ChartTick{Pos: xOf(d.Format(time.DateOnly)), Label: d.Format("1/2")})
	}
	for _, cat := range data.AdoptionCategories() {
		s := views.ChartSeries{Category: cat}
		var pts []string
		for _, snap := range snaps {
			p := views.ChartPoint{X: xOf(snap.Day), Y: yOf(snap.Counts[cat]), Day: snap.Day, Customers: snap.Counts[cat]}
			s.Points = append(s.Points, p)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", p.X, p.Y))
		}
		s.Polyline = strings.Join(pts, " ")
		if len(s.Points) > 0 {
			last := s.Points[len(s.Points)-1]
			s.LabelX, s.LabelY = last.X+10, last.Y+5
		}
		ch.Series = append(ch.Series, s)
	}
	spreadEndLabels(ch.Series)
	return ch
}

// niceStep is a round tick step (1, 2 or 5 times a power of ten) so that
// yTickCount steps reach at least maxCount.
func niceStep(maxCount int) int {
	if maxCount <= yTickCount {
		return 1
	}
	rough := float64(maxCount) / yTickCount
	pow := math.Pow(10, math.Floor(math.Log10(rough)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= rough {
			return int(m * pow)
		}
	}
	return int(10 * pow)
}

// spreadEndLabels moves the lines' end labels apart where lines end close
// together, so every label stays readable; each keeps its line's order.
func spreadEndLabels(series []views.ChartSeries) {
	var idx []int
	for i := range series {
		if len(series[i].Points) > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return series[idx[a]].LabelY < series[idx[b]].LabelY })
	for k := 1; k < len(idx); k++ {
		prev, cur := &series[idx[k-1]], &series[idx[k]]
		if cur.LabelY < prev.LabelY+endLabelGap {
			cur.LabelY = prev.LabelY + endLabelGap
		}
	}
	// Lines ending near zero push labels below the plot: move them back
	// up, still apart.
	limit := float64(plotBottom + 5)
	for k := len(idx) - 1; k >= 0; k-- {
		cur := &series[idx[k]]
		cur.LabelY = min(cur.LabelY, limit)
		limit = cur.LabelY - endLabelGap
	}
}
