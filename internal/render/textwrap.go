package render

import (
	"fmt"
	"strings"
	"unicode"
)

// filterWordwrap is Jinja2's wordwrap: each line of s is wrapped on its own with Python's
// textwrap.wrap (expand_tabs and replace_whitespace off) and the pieces joined with
// wrapstring.
func filterWordwrap(r *renderer, v any, a *callArgs) (any, error) {
	p, err := a.bind("wordwrap", []string{"width", "break_long_words", "wrapstring", "break_on_hyphens"}, []any{int64(79), true, nil, true})
	if err != nil {
		return nil, err
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case markup:
		s = string(x)
	case *undefined:
		return nil, x.err()
	default:
		return nil, fmt.Errorf("'%s' object has no attribute 'splitlines'", typeName(v))
	}
	sep := "\n"
	if p[2] != nil {
		sep = pyStr(p[2])
	}
	lines := splitLines(s, false)
	if len(lines) == 0 {
		return "", nil // no line reaches textwrap, which would check the width
	}
	width, err := argInt("wordwrap", p[0])
	if err != nil {
		return nil, err
	}
	if width <= 0 {
		return nil, fmt.Errorf("invalid width %d (must be > 0)", width)
	}
	w := textWrapper{width: int(width), breakLongWords: truthy(p[1]), breakOnHyphens: truthy(p[3])}
	out := make([]string, len(lines))
	total := int64(len(lines)-1) * int64(len(sep))
	for i, line := range lines {
		wrapped := w.wrap(line)
		if err := r.checkJoin(wrapped, sep); err != nil {
			return nil, err
		}
		out[i] = strings.Join(wrapped, sep)
		if total += int64(len(out[i])); total > int64(r.lim.MaxString) {
			return nil, r.checkString(total)
		}
	}
	return strings.Join(out, sep), nil
}

// textWrapper is Python's textwrap.TextWrapper with the options Jinja2 uses (no tab
// expansion, whitespace kept, whitespace dropped at line ends, no indents).
type textWrapper struct {
	width          int
	breakLongWords bool
	breakOnHyphens bool
}

// wrap is TextWrapper.wrap.
func (w textWrapper) wrap(text string) []string {
	rs := []rune(text)
	var chunks [][]rune
	if w.breakOnHyphens {
		chunks = splitWordsAndHyphens(rs)
	} else {
		chunks = splitWords(rs)
	}
	return w.wrapChunks(chunks)
}

func isBlank(rs []rune) bool {
	for _, c := range rs {
		if !isPySpace(c) {
			return false
		}
	}
	return true
}

// wrapChunks is TextWrapper._wrap_chunks.
func (w textWrapper) wrapChunks(chunks [][]rune) []string {
	var lines []string
	for len(chunks) > 0 {
		var cur [][]rune
		curLen := 0
		if isBlank(chunks[0]) && len(lines) > 0 {
			chunks = chunks[1:]
		}
		for len(chunks) > 0 && curLen+len(chunks[0]) <= w.width {
			cur = append(cur, chunks[0])
			curLen += len(chunks[0])
			chunks = chunks[1:]
		}
		if len(chunks) > 0 && len(chunks[0]) > w.width {
			cur, chunks = w.handleLongWord(chunks, cur, curLen)
		}
		if len(cur) > 0 && isBlank(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b strings.Builder
			for _, c := range cur {
				b.WriteString(string(c))
			}
			lines = append(lines, b.String())
		}
	}
	return lines
}

// handleLongWord is TextWrapper._handle_long_word: it moves what fits of the word
// chunks[0] onto the line cur (or, not breaking words, all of it onto an empty line) and
// returns the line and the chunks left.
func (w textWrapper) handleLongWord(chunks [][]rune, cur [][]rune, curLen int) ([][]rune, [][]rune) {
	spaceLeft := 1
	if w.width >= 1 {
		spaceLeft = w.width - curLen
	}
	chunk := chunks[0]
	if w.breakLongWords {
		end := spaceLeft
		if w.breakOnHyphens && len(chunk) > spaceLeft {
			hyphen := -1
			for i := min(spaceLeft, len(chunk)) - 1; i >= 0; i-- {
				if chunk[i] == '-' {
					hyphen = i
					break
				}
			}
			if hyphen > 0 {
				for _, c := range chunk[:hyphen] {
					if c != '-' {
						end = hyphen + 1
						break
					}
				}
			}
		}
		end = max(0, min(end, len(chunk)))
		chunks[0] = chunk[end:]
		return append(cur, chunk[:end]), chunks
	}
	if len(cur) == 0 {
		return append(cur, chunk), chunks[1:]
	}
	return cur, chunks
}

// textwrap's own whitespace set (not Unicode's).
func isWrapSpace(c rune) bool {
	switch c {
	case '\t', '\n', '\v', '\f', '\r', ' ':
		return true
	}
	return false
}

// Python's \w, \d, [^\d\W] and textwrap's word_punct [\w!"'&.,?] on str patterns.
func isWordChar(c rune) bool {
	return c == '_' || unicode.IsLetter(c) || unicode.IsNumber(c)
}
func isWrapLetter(c rune) bool { return isWordChar(c) && !unicode.IsDigit(c) }
func isWordPunct(c rune) bool  { return isWordChar(c) || strings.ContainsRune(`!"'&.,?`, c) }

// splitWords is re.split(r'([whitespace]+)', text) without empty pieces
// (wordsep_simple_re, for break_on_hyphens=False).
func splitWords(rs []rune) [][]rune {
	var out [][]rune
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && isWrapSpace(rs[j]) == isWrapSpace(rs[i]) {
			j++
		}
		out = append(out, rs[i:j])
		i = j
	}
	return out
}

// splitWordsAndHyphens splits text like textwrap's wordsep_re: runs of whitespace, and
// words that end at whitespace, after a hyphen between letters ("well-" "known"), or
// before an em-dash ("hello" "--" "world").
func splitWordsAndHyphens(rs []rune) [][]rune {
	n := len(rs)
	at := func(i int) rune {
		if i < 0 || i >= n {
			return 0
		}
		return rs[i]
	}
	letter := func(i int) bool { return i >= 0 && i < n && isWrapLetter(rs[i]) }
	// emDashAt reports whether 2+ hyphens start at i and a word character follows them.
	emDashAt := func(i int) (int, bool) {
		h := 0
		for i+h < n && rs[i+h] == '-' {
			h++
		}
		return h, h >= 2 && i+h < n && isWordChar(rs[i+h])
	}
	var out [][]rune
	for p := 0; p < n; {
		if isWrapSpace(rs[p]) {
			q := p + 1
			for q < n && isWrapSpace(rs[q]) {
				q++
			}
			out = append(out, rs[p:q])
			p = q
			continue
		}
		if p > 0 && rs[p] == '-' && isWordPunct(rs[p-1]) {
			if h, ok := emDashAt(p); ok {
				out = append(out, rs[p:p+h])
				p += h
				continue
			}
		}
		end := n
		for q := p + 1; q <= n; q++ {
			// A hyphenated word: "-" after two letters (or letter-letter) and before
			// letter, optional "-", letter.
			if at(q) == '-' && ((letter(q-2) && letter(q-1)) || (letter(q-3) && at(q-2) == '-' && letter(q-1))) &&
				letter(q+1) && (letter(q+2) || (at(q+2) == '-' && letter(q+3))) {
				end = q + 1
				break
			}
			if q == n || isWrapSpace(rs[q]) {
				end = q
				break
			}
			if isWordPunct(rs[q-1]) {
				if _, ok := emDashAt(q); ok {
					end = q
					break
				}
			}
		}
		out = append(out, rs[p:end])
		p = end
	}
	return out
}
