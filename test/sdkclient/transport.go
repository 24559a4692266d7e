package sdkclient

import (
	"bytes"
	"io"
	"net/http"
)

// BufferedBody hands the next transport a private copy of each request
// body. Without it, the SDK's request body stream and net/http's writeLoop
// race (aws/aws-sdk-go-v2#1825, #2737): once the response arrives the SDK
// closes its stream, the writeLoop's final read of it fails, and net/http
// closes the connection under the response still being read, so a request
// the server answered with 200 fails with "deserialization failed … use of
// closed network connection" (seen on ~100 KB Scan pages under load). A
// write failing that way would wrongly count as an error in an oracle test.
type BufferedBody struct{ Next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (b BufferedBody) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return b.Next.RoundTrip(req)
	}
	data, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.ContentLength = int64(len(data))
	return b.Next.RoundTrip(req)
}
