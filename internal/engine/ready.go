package engine

import "fmt"

// A table being restored is CREATING until FinishRestore: only its loader
// writes it, and everything else that reads or changes its items, indexes
// or settings is refused with ErrTableNotReady. Status changes only under
// Engine.catMu, and only from CREATING to ACTIVE, so a caller that saw
// the table ready may go on without holding catMu.

// checkReady returns ErrTableNotReady if the table is CREATING. Callers
// hold Engine.catMu.
func (ts *tableState) checkReady() error {
	if ts.rec.Status == StatusCreating {
		return fmt.Errorf("%w: %s", ErrTableNotReady, ts.name)
	}
	return nil
}

// lookupReady is lookup for item reads and writes: ErrTableNotReady if
// the table is CREATING.
func (e *Engine) lookupReady(name string) (*tableState, error) {
	e.catMu.RLock()
	defer e.catMu.RUnlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	return ts, nil
}
