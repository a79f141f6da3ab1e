package dataset

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestEachReadsEveryExampleInOrder(t *testing.T) {
	st := openStore(t)
	d := importFile(t, st, writeFile(t, "d.csv", "text,label\nfirst,a\nsecond,b\nthird,a\n"))
	ctx := context.Background()
	want, err := Examples(ctx, st, d.ID, "", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		stopAt int   // fn fails at this example (0: never)
		want   int   // examples seen
		err    error // what Each returns
	}{
		{"all", 0, 3, nil},
		{"stopped by fn", 2, 2, errStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Example
			err := Each(ctx, st, d.ID, func(e Example) error {
				got = append(got, e)
				if len(got) == tt.stopAt {
					return errStop
				}
				return nil
			})
			if !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if !reflect.DeepEqual(got, want.Examples[:tt.want]) {
				t.Fatalf("got %+v\nwant %+v", got, want.Examples[:tt.want])
			}
		})
	}
	if got := want.Examples[1]; got.Seq != 2 || got.Line != 3 || got.Label != "b" || got.Messages[1].Content != "b" {
		t.Errorf("second example %+v", got)
	}
	if err := Each(ctx, st, d.ID+1, func(Example) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing dataset: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := Each(cancelled, st, d.ID, func(Example) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
}

var errStop = errors.New("stop")
