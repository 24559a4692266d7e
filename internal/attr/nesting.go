package attr

// MaxNestedContainers is how many M and L levels one attribute value may
// wrap. DynamoDB documents a 32-level limit on nested attributes, counting
// the top level; measured against AWS, 31 nested maps are accepted and 32
// rejected (see github.com/nubo-db/dynoxide issue #110).
const MaxNestedContainers = 31

const msgNestingTooDeep = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"

// Depth returns the number of nested M/L levels in v: 0 for scalars and
// sets, 1 for a map or list of scalars, and so on.
func Depth(v Value) int {
	d := 0
	switch v.Kind {
	case KindM:
		for _, e := range v.Map {
			d = max(d, Depth(e))
		}
		return d + 1
	case KindL:
		for i := range v.List {
			d = max(d, Depth(v.List[i]))
		}
		return d + 1
	}
	return 0
}

// CheckNesting returns DynamoDB's ValidationException (*Error) if v nests
// more than MaxNestedContainers maps and lists. Use it on values that will
// be stored and on expression attribute values.
func CheckNesting(v Value) error {
	if !withinDepth(v, MaxNestedContainers) {
		return validationErr(msgNestingTooDeep)
	}
	return nil
}

// CheckItemNesting applies CheckNesting to every attribute of it.
func CheckItemNesting(it Item) error {
	for _, v := range it {
		if err := CheckNesting(v); err != nil {
			return err
		}
	}
	return nil
}

// withinDepth reports whether v has at most budget nested containers,
// without walking deeper than the budget.
func withinDepth(v Value, budget int) bool {
	switch v.Kind {
	case KindM:
		if budget == 0 {
			return false
		}
		for _, e := range v.Map {
			if !withinDepth(e, budget-1) {
				return false
			}
		}
	case KindL:
		if budget == 0 {
			return false
		}
		for i := range v.List {
			if !withinDepth(v.List[i], budget-1) {
				return false
			}
		}
	}
	return true
}
