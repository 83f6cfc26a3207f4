package platform

import "testing"

func TestStaleness(t *testing.T) {
	v := func(major, minor int) Version { return Version{Major: major, Minor: minor} }
	for _, c := range []struct {
		run, rec     Version
		major, minor bool
	}{
		{v(1, 0), Version{}, false, false}, // nothing recommended
		{v(1, 0), v(1, 0), false, false},
		{v(1, 0), v(1, 2), false, true},
		{v(1, 3), v(1, 2), false, false}, // newer than recommended (pinned lower)
		{v(1, 5), v(2, 0), true, false},  // a major behind, whatever the minor
		{v(3, 0), v(2, 4), false, false},
	} {
		major, minor := Staleness(c.run, c.rec)
		if major != c.major || minor != c.minor {
			t.Errorf("Staleness(%s, %s) = %t, %t; want %t, %t", c.run, c.rec, major, minor, c.major, c.minor)
		}
	}
}
