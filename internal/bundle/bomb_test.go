package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// gzipBomb is a .tar.gz holding one entry, name, of total bytes of zeros (a whole number
// of MB): the tar header, then one gzip member of 1 MB of zeros repeated, which gzip
// readers take as one stream. 1 GB costs about 1 MB.
func gzipBomb(t testing.TB, name string, total int64) []byte {
	t.Helper()
	var header bytes.Buffer
	if err := tar.NewWriter(&header).WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: total}); err != nil {
		t.Fatal(err)
	}
	member := func(data []byte) []byte {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	out := bytes.NewBuffer(member(header.Bytes()))
	zeros := member(make([]byte, 1<<20))
	for range total >> 20 {
		out.Write(zeros)
	}
	return out.Bytes()
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestGzipBombIsRefusedEarly(t *testing.T) {
	// 1 GB of zeros: in a file of the bundle, and in an entry the reader skips (junk).
	for _, name := range []string{"infrastructure/big.yaml", ".DS_Store", "__MACOSX/._x"} {
		bomb := gzipBomb(t, name, 1<<30)
		in := &countingReader{r: bytes.NewReader(bomb)}
		_, err := LoadTarGz(in, ProtonLimits)
		if err == nil || !strings.Contains(err.Error(), "archive expands more than 200 times its compressed size") ||
			!strings.Contains(err.Error(), "the limit against decompression bombs") {
			t.Errorf("%s: err = %v, want the ratio limit named", name, err)
		}
		if in.n > int64(len(bomb))/100 {
			t.Errorf("%s: read %d of the bomb's %d compressed bytes; want reading to stop at the limit", name, in.n, len(bomb))
		}
	}
}

func TestDecompressedArchiveIsBounded(t *testing.T) {
	limits := ProtonLimits
	limits.Ratio = 0 // the size bound alone
	bomb := gzipBomb(t, ".DS_Store", 1<<30)
	in := &countingReader{r: bytes.NewReader(bomb)}
	_, err := LoadTarGz(in, limits)
	if err == nil || !strings.Contains(err.Error(), "archive expands to more than 6 MB (the 5 MB bundle limit and 1 MB of archive headers), the limit") {
		t.Fatalf("err = %v, want the decompressed size limit named", err)
	}
	if in.n > int64(len(bomb))/50 {
		t.Fatalf("read %d of the bomb's %d compressed bytes; want reading to stop at 6 MB decompressed", in.n, len(bomb))
	}
}

func TestOrdinaryArchivesPassTheRatio(t *testing.T) {
	// A bundle of repetitive YAML, 1.2 MB in 7 files of one resource repeated, expands far
	// less than a bomb, and loads.
	var yaml strings.Builder
	yaml.WriteString("Resources:\n")
	for i := 0; yaml.Len() < 180<<10; i++ {
		yaml.WriteString("  Bucket" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + ":\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: !Sub '${AWS::StackName}-logs'\n")
	}
	entries := envEntries("")
	for i := range entries {
		if entries[i].name == "infrastructure/cloudformation.yaml" {
			entries[i].body = yaml.String()
		}
	}
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		entries = append(entries, tarEntry{name: "docs/" + name + ".yaml", body: yaml.String()})
	}
	archive := tarGz(t, entries)
	if _, err := LoadTarGz(bytes.NewReader(archive), ProtonLimits); err != nil {
		t.Fatalf("an ordinary bundle of %d bytes compressed: %v", len(archive), err)
	}
}

// BenchmarkRefuseGzipBomb measures the cost of refusing 1 GB of zeros compressed to 1 MB
// and hidden in an entry the reader skips.
func BenchmarkRefuseGzipBomb(b *testing.B) {
	bomb := gzipBomb(b, ".DS_Store", 1<<30)
	b.SetBytes(int64(len(bomb)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := LoadTarGz(bytes.NewReader(bomb), ProtonLimits); err == nil {
			b.Fatal("the bomb was accepted")
		}
	}
}
