package dynamodb

// Parallel scan bounds: TotalSegments is 1..1000000, Segment 0..999999.
const (
	maxTotalSegments = 1000000
	maxSegment       = maxTotalSegments - 1
)

// segmentConstraints records the Coral range violations of Segment and
// TotalSegments.
func (in *scanInput) segmentConstraints(v *violations) {
	if s := in.TotalSegments; s != nil {
		if *s < 1 {
			v.add(*s, "totalSegments", "Member must have value greater than or equal to 1")
		}
		if *s > maxTotalSegments {
			v.add(*s, "totalSegments", "Member must have value less than or equal to 1000000")
		}
	}
	if s := in.Segment; s != nil {
		if *s < 0 {
			v.add(*s, "segment", "Member must have value greater than or equal to 0")
		}
		if *s > maxSegment {
			v.add(*s, "segment", "Member must have value less than or equal to 999999")
		}
	}
}

// checkSegments requires Segment and TotalSegments together, with Segment
// below TotalSegments.
func (in *scanInput) checkSegments() error {
	switch {
	case in.Segment != nil && in.TotalSegments == nil:
		return Validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.TotalSegments != nil && in.Segment == nil:
		return Validation("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
	case in.Segment != nil && *in.Segment >= *in.TotalSegments:
		return Validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d",
			*in.Segment, *in.TotalSegments)
	}
	return nil
}
