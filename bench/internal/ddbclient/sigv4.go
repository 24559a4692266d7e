package ddbclient

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/url"
	"strings"
	"time"
)

// AWS Signature Version 4 for the raw clients, specialised to what they
// send: a POST with a JSON body and exactly the headers Content-Type, Host,
// X-Amz-Date, X-Amz-Target (and X-Amz-Security-Token with temporary
// credentials). These are the headers signed, so the signature is the one
// aws-sdk-go-v2's aws/signer/v4 computes for the same request and time
// (sigv4_test.go checks this). It is real SigV4, so the raw clients also work
// against endpoints that verify signatures, such as DynamoDB itself.
//
// What makes it cheap: the signing key (four HMACs) is derived once per
// (day, region, service), the keyed HMAC is reset rather than rebuilt, and
// the canonical request and string to sign are appended into a reused buffer.
// Per request that leaves SHA-256 of the payload, of the canonical request
// (~250 B) and one HMAC of the string to sign (~130 B).

const (
	sigv4Algorithm = "AWS4-HMAC-SHA256"

	// AmzDateFormat is the time layout of the X-Amz-Date header.
	AmzDateFormat = "20060102T150405Z"
	// JSONContentType is the Content-Type of DynamoDB's JSON protocol.
	JSONContentType = "application/x-amz-json-1.0"
	// Service is DynamoDB's SigV4 service name.
	Service = "dynamodb"
)

// Signer holds what is fixed for a run: credentials, region, service, and
// the Host header and canonical URI of the endpoint. It is read-only and
// shared; each worker signs with its own State.
type Signer struct {
	accessKey    string
	secretKey    string
	sessionToken string // empty unless temporary credentials
	region       string
	service      string
	host         string // value of the Host header, default port stripped
	uri          string // canonical URI (the endpoint's path, escaped again)
	signed       string // the SignedHeaders list
}

// NewSigner returns a signer for requests sent to endpoint u.
func NewSigner(u *url.URL, accessKey, secretKey, sessionToken, region, service string) *Signer {
	s := &Signer{
		accessKey: accessKey, secretKey: secretKey, sessionToken: sessionToken,
		region: region, service: service,
		host: hostHeader(u), uri: canonicalURI(u),
		signed: "content-type;host;x-amz-date;x-amz-target",
	}
	if sessionToken != "" {
		s.signed = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
	}
	return s
}

// Host is the value of the Host header to send: the one signed.
func (s *Signer) Host() string { return s.host }

// hostHeader is the Host header sent and signed: the URL's host with the
// scheme's default port removed, as the AWS SDKs send it.
func hostHeader(u *url.URL) string {
	h := u.Host
	if p := u.Port(); (p == "80" && u.Scheme == "http") || (p == "443" && u.Scheme == "https") {
		h = strings.TrimSuffix(h, ":"+p)
	}
	return h
}

// canonicalURI is the escaped path of u ("/" when empty), URI-encoded a
// second time as SigV4 requires for every service but S3.
func canonicalURI(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if isUnreserved(c) || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// State is one worker's signing state; not safe for concurrent use.
type State struct {
	s     *Signer
	day   string    // yyyymmdd the cached key is for
	scope string    // day/region/service/aws4_request
	mac   hash.Hash // HMAC-SHA256 keyed with the day's signing key
	sha   hash.Hash
	buf   []byte
	sum   [sha256.Size]byte
}

// NewState returns a signing state for one worker.
func (s *Signer) NewState() *State {
	return &State{s: s, sha: sha256.New(), buf: make([]byte, 0, 1024)}
}

// signingKey derives the SigV4 signing key for a day (yyyymmdd).
func (s *Signer) signingKey(day string) []byte {
	k := hmacSHA256([]byte("AWS4"+s.secretKey), day)
	k = hmacSHA256(k, s.region)
	k = hmacSHA256(k, s.service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// payloadHash appends the lowercase hex SHA-256 of body to dst.
func payloadHash(dst, body []byte) []byte {
	sum := sha256.Sum256(body)
	return hex.AppendEncode(dst, sum[:])
}

// Authorization returns the Authorization header for a POST of body with
// the given X-Amz-Date (AmzDateFormat, UTC) and X-Amz-Target.
func (st *State) Authorization(amzDate, target string, body []byte) string {
	s := st.s
	day := amzDate[:8]
	if day != st.day {
		st.day = day
		st.scope = day + "/" + s.region + "/" + s.service + "/aws4_request"
		st.mac = hmac.New(sha256.New, s.signingKey(day))
	}

	// Canonical request.
	b := st.buf[:0]
	b = append(b, "POST\n"...)
	b = append(b, s.uri...)
	b = append(b, "\n\ncontent-type:"+JSONContentType+"\nhost:"...)
	b = append(b, s.host...)
	b = append(b, "\nx-amz-date:"...)
	b = append(b, amzDate...)
	if s.sessionToken != "" {
		b = append(b, "\nx-amz-security-token:"...)
		b = append(b, s.sessionToken...)
	}
	b = append(b, "\nx-amz-target:"...)
	b = append(b, target...)
	b = append(b, "\n\n"...)
	b = append(b, s.signed...)
	b = append(b, '\n')
	b = payloadHash(b, body)
	st.sha.Reset()
	st.sha.Write(b)
	crHash := st.sha.Sum(st.sum[:0])

	// String to sign.
	b = b[:0]
	b = append(b, sigv4Algorithm+"\n"...)
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, st.scope...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash)
	st.mac.Reset()
	st.mac.Write(b)
	sig := st.mac.Sum(st.sum[:0])

	// Authorization header.
	b = b[:0]
	b = append(b, sigv4Algorithm+" Credential="...)
	b = append(b, s.accessKey...)
	b = append(b, '/')
	b = append(b, st.scope...)
	b = append(b, ", SignedHeaders="...)
	b = append(b, s.signed...)
	b = append(b, ", Signature="...)
	b = hex.AppendEncode(b, sig)
	st.buf = b
	return string(b)
}

// AmzDate formats t as X-Amz-Date (UTC, second precision).
func AmzDate(t time.Time) string { return t.UTC().Format(AmzDateFormat) }
