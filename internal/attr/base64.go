package attr

import "strconv"

var base64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// decodeBase64 decodes standard padded base64 strictly, with DynamoDB's
// SerializationException messages for malformed input.
func decodeBase64(s string) ([]byte, error) {
	if len(s)%4 != 0 {
		return nil, serErr(serBase64Length + strconv.Itoa(len(s)))
	}
	if len(s) == 0 {
		return []byte{}, nil
	}
	pad := 0
	if s[len(s)-1] == '=' {
		pad++
		if s[len(s)-2] == '=' {
			pad++
		}
	}
	// The bits of the last non-pad character beyond the decoded bytes must
	// be zero (the check DynamoDB makes first).
	if pad > 0 {
		last := base64Value[s[len(s)-1-pad]]
		if last < 0 && s[len(s)-1-pad] != '=' {
			return nil, serErr(serBase64Char + string(s[len(s)-1-pad]) + "'")
		}
		if (pad == 1 && last&0x3 != 0) || (pad == 2 && last&0xF != 0) || last < 0 {
			return nil, serErr(serBase64Last)
		}
	}
	for i := 0; i < len(s)-pad; i++ {
		if base64Value[s[i]] < 0 {
			return nil, serErr(serBase64Char + string(rune(s[i])) + "'")
		}
	}
	out := make([]byte, len(s)/4*3-pad)
	for i, o := 0, 0; i < len(s); i, o = i+4, o+3 {
		a, b := uint32(base64Value[s[i]]), uint32(base64Value[s[i+1]])
		c, dd := uint32(0), uint32(0)
		if s[i+2] != '=' {
			c = uint32(base64Value[s[i+2]])
		}
		if s[i+3] != '=' {
			dd = uint32(base64Value[s[i+3]])
		}
		n := a<<18 | b<<12 | c<<6 | dd
		out[o] = byte(n >> 16)
		if o+1 < len(out) {
			out[o+1] = byte(n >> 8)
		}
		if o+2 < len(out) {
			out[o+2] = byte(n)
		}
	}
	return out, nil
}
