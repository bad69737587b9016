package restli

import "strconv"

// The append-style encoders below write what EncodeBatchIDs, EncodeSimpleIDs
// and EncodeKeyBody return, byte for byte, after the contents of a buffer
// the caller keeps (pass dst[:0] to reuse one): a batch call can build its
// query and its body keys in pooled buffers instead of allocating each one.

// AppendBatchIDs appends EncodeBatchIDs(p, keys) to dst and returns the
// extended buffer.
func AppendBatchIDs(dst []byte, p Protocol, keys []Key) []byte {
	if len(keys) == 0 {
		return dst
	}
	if p == Protocol2 {
		dst = append(dst, "ids="+listPrefix...)
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendKey2(dst, k)
		}
		return append(dst, ')')
	}
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, '&')
		}
		for j, f := range k {
			if j > 0 {
				dst = append(dst, '&')
			}
			dst = append(dst, "ids["...)
			dst = strconv.AppendInt(dst, int64(i), 10)
			dst = append(dst, "]."...)
			dst = esc1Query.append(dst, f.Name)
			dst = append(dst, '=')
			dst = esc1Query.append(dst, f.Value)
		}
	}
	return dst
}

// AppendSimpleIDs appends EncodeSimpleIDs(p, ids) to dst and returns the
// extended buffer.
func AppendSimpleIDs(dst []byte, p Protocol, ids []string) []byte {
	if len(ids) == 0 {
		return dst
	}
	if p == Protocol2 {
		dst = append(dst, "ids="+listPrefix...)
		for i, id := range ids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append2(dst, esc2, id)
		}
		return append(dst, ')')
	}
	for i, id := range ids {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, "ids="...)
		dst = esc1Simple.append(dst, id)
	}
	return dst
}

// AppendKeyBody appends EncodeKeyBody(p, k) to dst and returns the
// extended buffer.
func AppendKeyBody(dst []byte, p Protocol, k Key) []byte {
	if p == Protocol2 {
		return appendKey2(dst, k)
	}
	for i, f := range k {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = esc1Body.append(dst, f.Name)
		dst = append(dst, '=')
		dst = esc1Body.append(dst, f.Value)
	}
	return dst
}

// appendKey2 appends k in 2.0 syntax, (a:x,b:y), as writeKey2 writes it.
func appendKey2(dst []byte, k Key) []byte {
	dst = append(dst, '(')
	for i, f := range k {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append2(dst, esc2Name, f.Name)
		dst = append(dst, ':')
		if rawParams(f) {
			dst = append(dst, f.Value...)
		} else {
			dst = append2(dst, esc2, f.Value)
		}
	}
	return append(dst, ')')
}

// append2 appends a 2.0 primitive as write2 writes it: EmptyString for "".
func append2(dst []byte, e *escaper, s string) []byte {
	if s == "" {
		return append(dst, EmptyString...)
	}
	return e.append(dst, s)
}

// append appends the escaped form of s to dst, as write writes it.
func (e *escaper) append(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if e[c] == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '%', upperHex[c>>4], upperHex[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}
