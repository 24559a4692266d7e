package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

var errInsufficient = errors.New("insufficient funds")

func balance(t tb, it attr.Item) int {
	n, err := strconv.Atoi(it["bal"].Str)
	if err != nil {
		t.Fatalf("bad balance in %s", fmtItem(it))
	}
	return n
}

func account(i int) attr.Item { return key(attr.S(fmt.Sprintf("acct%d", i))) }

// transfer moves amount from account a to b in one MutateMany, refusing
// (with errInsufficient) if a would go negative.
func transfer(e *Engine, a, b, amount int) ([]MutationResult, []error, error) {
	adjust := func(k attr.Item, d int, check bool) MutateFunc {
		return func(old attr.Item) (attr.Item, error) {
			bal, _ := strconv.Atoi(old["bal"].Str)
			if check && bal+d < 0 {
				return nil, errInsufficient
			}
			return withAttrs(k, "bal", num(bal+d)), nil
		}
	}
	return e.MutateMany(bg, []Mutation{
		{Table: "Bank", Key: account(a), Fn: adjust(account(a), -amount, true)},
		{Table: "Bank", Key: account(b), Fn: adjust(account(b), amount, false)},
	})
}

// Concurrent random transfers through MutateMany conserve money, never
// overdraw, give every commit its own timestamp, and GetItems snapshots
// taken meanwhile always add up to the total (no torn reads).
func TestBankTransfers(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("Bank", attr.KindS, attr.KindInvalid))
	const accounts, initial, workers, per = 8, 100, 8, 60
	var items []attr.Item
	keys := make([]TableKey, accounts)
	for i := range accounts {
		items = append(items, withAttrs(account(i), "bal", num(initial)))
		keys[i] = TableKey{Table: "Bank", Key: account(i)}
	}
	putMany(t, e, "Bank", items)

	var mu sync.Mutex
	stamps := map[clock.Timestamp]bool{}
	refused := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range per {
				a := r.IntN(accounts)
				b := (a + 1 + r.IntN(accounts-1)) % accounts
				res, errs, err := transfer(e, a, b, 1+r.IntN(60))
				mu.Lock()
				switch {
				case err == nil:
					if res[0].CommitTS == 0 || res[0].CommitTS != res[1].CommitTS || stamps[res[0].CommitTS] {
						t.Errorf("commit timestamps %v %v (seen before: %v)", res[0].CommitTS, res[1].CommitTS, stamps[res[0].CommitTS])
					}
					stamps[res[0].CommitTS] = true
				case errors.Is(err, ErrTransactionCanceled) && errors.Is(errs[0], errInsufficient) && errs[1] == nil:
					refused++
				default:
					t.Errorf("transfer: %v %v", err, errs)
				}
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	reads := 0
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := e.GetItems(bg, keys)
			if err != nil {
				t.Error(err)
				return
			}
			sum := 0
			for _, it := range got {
				b := balance(t, it)
				if b < 0 {
					t.Errorf("negative balance in a snapshot: %s", fmtItem(it))
				}
				sum += b
			}
			if sum != accounts*initial {
				t.Errorf("snapshot sums to %d, want %d", sum, accounts*initial)
				return
			}
			reads++
		}
	}()
	wg.Wait()
	close(done)
	readers.Wait()
	total := 0
	for _, it := range scanAll(t, e, "Bank") {
		if b := balance(t, it); b < 0 {
			t.Fatalf("negative balance: %s", fmtItem(it))
		}
		total += balance(t, it)
	}
	if total != accounts*initial {
		t.Fatalf("total %d, want %d", total, accounts*initial)
	}
	t.Logf("%d transfers, %d refused, %d snapshot reads", len(stamps), refused, reads)
	if refused == 0 || len(stamps) == 0 || reads == 0 {
		t.Fatal("the workload did not exercise both outcomes and the readers")
	}
}

func TestGetItems(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("A", attr.KindS, attr.KindInvalid))
	mustCreate(t, e, spec("B", attr.KindN, attr.KindS))
	a := withAttrs(key(attr.S("x")), "v", num(1))
	b := withAttrs(key(num(1), attr.S("y")), "v", num(2))
	put(t, e, "A", a)
	put(t, e, "B", b)
	got, err := e.GetItems(bg, []TableKey{
		{Table: "B", Key: key(num(1), attr.S("y"))},
		{Table: "A", Key: key(attr.S("missing"))},
		{Table: "A", Key: key(attr.S("x"))},
	})
	if err != nil || len(got) != 3 || !itemsEqual(got[0], b) || got[1] != nil || !itemsEqual(got[2], a) {
		t.Fatalf("GetItems = %v, %v", fmtItems(got), err)
	}
	if _, err := e.GetItems(bg, []TableKey{{Table: "nope", Key: key(attr.S("x"))}}); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("unknown table: %v", err)
	}
	if _, err := e.GetItems(bg, []TableKey{{Table: "B", Key: key(num(1))}}); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("bad key: %v", err)
	}
}
