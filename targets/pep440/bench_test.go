package pep440

import "testing"

func BenchmarkParse(b *testing.B) {
	inputs := []string{"1.2.3", "v2!1.0.0-RC.1.post2.dev3+ubuntu-1", "2024.10.15", "1.0a1"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	vs := []Version{
		MustParse("1.0.dev456"), MustParse("1.0a12.dev456"), MustParse("1.0b2.post345"),
		MustParse("1.0"), MustParse("1.0+abc.5"), MustParse("1.0+5"), MustParse("1.0.0.post456"),
	}
	for i := 0; b.Loop(); i++ {
		Compare(vs[i%len(vs)], vs[(i+3)%len(vs)])
	}
}
