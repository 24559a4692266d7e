package dynamodb

import (
	"encoding/json"
	"testing"
	"time"
)

func TestEpochTimeJSON(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.UnixMilli(1489602797149), "1489602797.149"},
		{time.UnixMilli(1489602797100), "1489602797.1"},
		{time.Unix(1489602797, 999_999_999), "1489602797.999"},
		{time.Unix(1489602797, 0), "1489602797"},
	} {
		got, err := json.Marshal(epochTime(c.t))
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%v) = %s %v, want %s", c.t, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in   string
		want int64 // Unix milliseconds
	}{
		{"1489602797.149", 1489602797149},
		{"1.489602797149E9", 1489602797149},
		{"1489602797", 1489602797000},
	} {
		var e epochTime
		if err := json.Unmarshal([]byte(c.in), &e); err != nil || time.Time(e).UnixMilli() != c.want {
			t.Errorf("Unmarshal(%s) = %v %v, want %d ms", c.in, time.Time(e), err, c.want)
		}
	}
	var holder struct {
		At *epochTime `json:"At"`
	}
	if err := json.Unmarshal([]byte(`{"At":null}`), &holder); err != nil || holder.At != nil {
		t.Errorf("null: %v %v", holder.At, err)
	}
	if newEpochTime(time.Time{}) != nil {
		t.Errorf("the zero time is omitted")
	}
	for in, want := range map[string]string{
		`{"At":"2017-03-15"}`: "STRING_VALUE cannot be converted to Date",
		`{"At":true}`:         "TRUE_VALUE cannot be converted to Date",
		`{"At":[]}`:           "Unrecognized collection type class java.util.Date",
	} {
		err := decodeError(inRequest(json.Unmarshal([]byte(in), &holder), []byte(in), &holder))
		if e, ok := err.(*Error); !ok || e.Message != want {
			t.Errorf("%s: got %v, want %q", in, err, want)
		}
	}
}
