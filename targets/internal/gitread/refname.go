package gitread

// refnameDisposition classifies bytes as git's check_refname_format does:
// 0 ok, 1 ends a component, 2 '.', 3 '{', 4 forbidden, 5 '*'.
var refnameDisposition = func() [256]byte {
	var d [256]byte
	for c := 0; c < 32; c++ {
		d[c] = 4
	}
	d[0] = 1
	d['/'] = 1
	d['.'] = 2
	d['{'] = 3
	for _, c := range []byte{' ', ':', '?', '[', '\\', '^', '~', 0x7f} {
		d[c] = 4
	}
	d['*'] = 5
	return d
}()

// validRefname is check_refname_format(name, REFNAME_ALLOW_ONELEVEL). Git
// lists refs with bad names as broken (null object), which can never name
// a commit, so describe must skip exactly the names git rejects.
func validRefname(name string) bool {
	if name == "@" || name == "" {
		return false
	}
	rest := name
	last := ""
	for {
		n, ok := refnameComponent(rest)
		if !ok || n == 0 {
			return false
		}
		last = rest[:n]
		if n == len(rest) {
			break
		}
		rest = rest[n+1:]
	}
	return last[len(last)-1] != '.'
}

func refnameComponent(s string) (int, bool) {
	var prev byte
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch refnameDisposition[c] {
		case 1:
			if c == 0 {
				return 0, false
			}
			goto out
		case 2:
			if prev == '.' {
				return 0, false
			}
		case 3:
			if prev == '@' {
				return 0, false
			}
		case 4, 5:
			return 0, false
		}
		prev = c
	}
out:
	if i == 0 {
		return 0, true
	}
	if s[0] == '.' {
		return 0, false
	}
	if i >= 5 && s[i-5:i] == ".lock" {
		return 0, false
	}
	return i, true
}
