package cfntemplate

import (
	"reflect"
	"testing"
)

func TestShortAndLongFormsAreTheSameIntrinsic(t *testing.T) {
	for _, body := range []string{
		"V: !GetAtt Role.Arn\n",
		"V: {Fn::GetAtt: Role.Arn}\n",
		`{"V": {"Fn::GetAtt": "Role.Arn"}}`,
	} {
		root, err := Parse([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		name, arg, ok := Intrinsic(Lookup(root, "V"))
		if !ok || name != "Fn::GetAtt" || arg.Value != "Role.Arn" || arg.Line != 1 {
			t.Errorf("%s: Intrinsic = %q %+v %v", body, name, arg, ok)
		}
	}
}

func TestJSONLines(t *testing.T) {
	root, err := Parse([]byte("{\n  \"A\": 1,\n\n  \"B\": [true, null]\n}"))
	if err != nil {
		t.Fatal(err)
	}
	k, v := LookupKey(root, "B")
	if k.Line != 4 || v.Line != 4 || v.Content[0].Tag != "!!bool" || v.Content[1].Tag != "!!null" {
		t.Errorf("B: key line %d, value %+v", k.Line, v)
	}
	if a := Lookup(root, "A"); a.Line != 2 || a.Tag != "!!int" {
		t.Errorf("A = %+v", a)
	}
}

func TestSubReferences(t *testing.T) {
	got := SubReferences("${AWS::Region}-${Res.Attr.Deep}-${!Literal}-${ Param }")
	want := []SubReference{{Name: "AWS::Region"}, {Name: "Res", Attribute: "Attr.Deep"}, {Name: "Param"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SubReferences = %+v, want %+v", got, want)
	}
}

func TestHasSAM(t *testing.T) {
	for body, want := range map[string]bool{
		"Transform: AWS::Serverless-2016-10-31\n":                            true,
		"Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n": true,
		"Transform: AWS::LanguageExtensions\n":                               false,
		"Resources: {}\n":                                                    false,
	} {
		root, err := Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := HasSAM(root); got != want {
			t.Errorf("HasSAM(%q) = %v, want %v", body, got, want)
		}
	}
}
