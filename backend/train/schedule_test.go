package train

import (
	"math"
	"testing"
)

// TestSchedule checks the learning rate against transformers' formulas at
// hand-worked steps: warm-up, the cosine's middle, the end.
func TestSchedule(t *testing.T) {
	for _, c := range []struct {
		s    Schedule
		step int
		want float64
	}{
		{Schedule{"cosine", 2e-4, 10, 110}, 0, 0},
		{Schedule{"cosine", 2e-4, 10, 110}, 5, 1e-4},
		{Schedule{"cosine", 2e-4, 10, 110}, 10, 2e-4},
		{Schedule{"cosine", 2e-4, 10, 110}, 60, 1e-4},
		{Schedule{"cosine", 2e-4, 10, 110}, 110, 0},
		{Schedule{"cosine", 2e-4, 0, 4}, 1, 2e-4 * 0.5 * (1 + math.Cos(math.Pi/4))},
		{Schedule{"linear", 1e-3, 0, 4}, 3, 2.5e-4},
		{Schedule{"constant", 1e-3, 2, 4}, 1, 5e-4},
		{Schedule{"constant", 1e-3, 2, 4}, 3, 1e-3},
	} {
		if got := c.s.At(c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v at %d = %g, want %g", c.s, c.step, got, c.want)
		}
	}
	for _, bad := range []Schedule{{"cosine", math.NaN(), 0, 10}, {"cosine", -1, 0, 10}, {"step", 1e-4, 0, 10}, {"cosine", 1e-4, 0, 0}} {
		if bad.check() == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
