package attr

// Size returns the size DynamoDB accounts for the value v (without an
// attribute name), following "Item sizes and formats" in the DynamoDB
// developer guide and the exact number rule dynalite reproduces:
//
//	S         UTF-8 bytes
//	B         raw bytes
//	N         1 byte + 1 per two significant digits (pairs aligned on the
//	          decimal point, so 1 more when the digit count and the
//	          exponent are both even) + 1 if negative; zero is 1 byte
//	SS/NS/BS  sum of member sizes
//	BOOL/NULL 1 byte
//	L         3 bytes + for each element 1 byte + its size
//	M         3 bytes + for each entry 1 byte + name bytes + value size
func Size(v Value) int {
	switch v.Kind {
	case KindS:
		return len(v.Str)
	case KindB:
		return len(v.Bin)
	case KindN:
		return numberSize(v.Str)
	case KindSS:
		n := 0
		for _, s := range v.Strs {
			n += len(s)
		}
		return n
	case KindNS:
		n := 0
		for _, s := range v.Strs {
			n += numberSize(s)
		}
		return n
	case KindBS:
		n := 0
		for _, b := range v.Bins {
			n += len(b)
		}
		return n
	case KindBOOL, KindNULL:
		return 1
	case KindL:
		n := 3
		for i := range v.List {
			n += 1 + Size(v.List[i])
		}
		return n
	case KindM:
		n := 3
		for k, e := range v.Map {
			n += 1 + len(k) + Size(e)
		}
		return n
	}
	return 0
}

// ItemSize returns the size DynamoDB accounts for an item: for each
// attribute, the UTF-8 length of its name plus Size of its value. The
// 400 KB item limit and capacity units are computed from it.
func ItemSize(it Item) int {
	n := 0
	for k, v := range it {
		n += len(k) + Size(v)
	}
	return n
}

// numberSize returns the stored size of a number given as canonical text.
func numberSize(s string) int {
	s = canonicalOrSelf(s)
	if s == "0" || !isCanonicalNumber(s) {
		return 1
	}
	neg := s[0] == '-'
	m := s
	if neg {
		m = s[1:]
	}
	e := sciExp(m)
	nd := 0
	lastNonZero := 0
	for i := firstSigIndex(m); i < len(m); i++ {
		if m[i] == '.' {
			continue
		}
		nd++
		if m[i] != '0' {
			lastNonZero = nd
		}
	}
	nd = lastNonZero // integers' trailing zeros are not significant
	size := 1 + (nd+1)/2
	if nd%2 == 0 && e%2 == 0 {
		size++
	}
	if neg {
		size++
	}
	return size
}
