package templatetest

import (
	"fmt"
	"strings"
)

// Diff returns a short unified-style diff of the first difference between want and got:
// one hunk with up to three lines of context before it and at most maxDiffLines removed
// and added lines. It returns "" when they are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := splitLines(want), splitLines(got)
	start := 0
	for start < len(a) && start < len(b) && a[start] == b[start] {
		start++
	}
	endA, endB := len(a), len(b)
	for endA > start && endB > start && a[endA-1] == b[endB-1] {
		endA--
		endB--
	}
	ctx := max(0, start-3)
	var sb strings.Builder
	fmt.Fprintf(&sb, "--- expected\n+++ rendered\n@@ -%d,%d +%d,%d @@\n", ctx+1, endA-ctx, ctx+1, endB-ctx)
	for _, l := range a[ctx:start] {
		sb.WriteString(" " + l + "\n")
	}
	writeSide(&sb, "-", a[start:endA])
	writeSide(&sb, "+", b[start:endB])
	return strings.TrimSuffix(sb.String(), "\n")
}

func writeSide(sb *strings.Builder, mark string, lines []string) {
	for i, l := range lines {
		if i == maxDiffLines {
			fmt.Fprintf(sb, "%s… %d more lines\n", mark, len(lines)-i)
			return
		}
		sb.WriteString(mark + l + "\n")
	}
}

// splitLines splits s into lines, marking a missing final newline the way diff does.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		if l == "" {
			continue
		}
		if strings.HasSuffix(l, "\n") {
			out = append(out, strings.TrimSuffix(l, "\n"))
		} else {
			out = append(out, l+"\n\\ No newline at end of file")
		}
	}
	return out
}
