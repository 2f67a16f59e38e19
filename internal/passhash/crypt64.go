package passhash

import "strings"

// itoa64 is the alphabet of crypt(3)'s base64 ("./0-9A-Za-z"), shared by
// MD5-crypt, SHA-crypt, phpass and Drupal.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// itoa64Index returns the value of c in itoa64, or -1.
func itoa64Index(c byte) int { return strings.IndexByte(itoa64, c) }

// crypt64Triple appends n characters of the 24-bit group b2<<16|b1<<8|b0,
// least significant six bits first (crypt(3)'s b64_from_24bit).
func crypt64Triple(dst []byte, b2, b1, b0 byte, n int) []byte {
	w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
	for range n {
		dst = append(dst, itoa64[w&0x3f])
		w >>= 6
	}
	return dst
}
