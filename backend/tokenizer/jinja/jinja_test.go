package jinja

import (
	"strings"
	"testing"
	"time"
)

// Expected outputs come from Python jinja2 3.1 set up as transformers sets
// it up (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loop
// controls, transformers' tojson).
const testVars = `{"xs": [3, 1, 2], "s": "  Hello, World\n\t", "d": {"b": 1, "a": [true, null, 2.5]}, "n": 7, "f": 1.0, "msgs": [{"role": "system", "content": "S"}, {"role": "user", "content": "U1"}, {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}]}`

func TestRenderMatchesJinja2(t *testing.T) {
	v, err := ParseJSON([]byte(testVars))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]any{}
	for _, k := range v.(*Dict).Keys() {
		vars[k], _ = v.(*Dict).Get(k)
	}
	tests := []struct{ name, src, want string }{
		{"whitespace control", `a  {{- 'b' -}}  c
  {%- if true %}
  d
  {% endif %}
e`, `abc  d
e`},
		{"trim and lstrip blocks", `x
    {% if true %}
    y
    {% endif %}
  {# c #}
z
`, `x
    y
z`},
		{"plus disables lstrip", `x
    {%+ if true %}y{% endif %}
`, `x
    y`},
		{"comment dash", `a {#- c -#} b`, `ab`},
		{"raw", `{% raw %}{{ not parsed }}{% endraw %}`, `{{ not parsed }}`},
		{"slicing", `{{ xs[1:] }} {{ xs[::-1] }} {{ xs[:-1] }} {{ 'hello'[1:3] }} {{ msgs[1:]|length }}`, `[1, 2] [2, 1, 3] [3, 1] el 3`},
		{"loop vars", `{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.revindex }}{{ loop.length }};{% endfor %}`, `10TrueFalse33;21FalseFalse23;32FalseTrue13;`},
		{"loop controls", `{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}{% endif %}{{ x }}{% endfor %}`, `0134`},
		{"loop filter and else", `{% for x in xs if x > 1 %}{{ x }}/{{ loop.length }} {% endfor %}{% for x in [] %}no{% else %}empty{% endfor %}`, `3/2 2/2 empty`},
		{"namespace", `{% set ns = namespace(c=0, found=false) %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.c = ns.c + 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.c }} {{ ns.found }}`, `2 True`},
		{"scoping", `{% set x = 1 %}{% for i in xs %}{% set x = i %}{% endfor %}{{ x }}`, `1`},
		{"string methods", `{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\n\nhi\t'.lstrip('\n') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x','c')) }}|{{ 'Hi There'.upper() }}{{ 'Hi'.lower() }}|{{ 'a-b'.replace('-', '+') }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}`, `Hello, World|Hello, World
	|  Hello, World|hi|hi	|['a', 'b', '', 'c']|['a', 'b']|TrueTrue|HI THEREhi|a+b|Hello World|Hello`},
		{"split last", `{{ 'x</think>y</think>\n\nz'.split('</think>')[-1].lstrip('\n') }}|{{ 'a<think>b</think>c'.split('</think>')[0].split('<think>')[-1] }}`, `z|b`},
		{"filters", `{{ xs|length }} {{ xs|first }} {{ xs|last }} {{ xs|join('-') }} {{ xs|sort }} {{ xs|reverse|list }} {{ s|trim }} {{ 'x'|upper }} {{ undefined_var|default('dflt') }} {{ n|string }} {{ '3'|int + 1 }} {{ -5|abs }} {{ 2.567|round(1) }} {{ xs|sum }} {{ xs|min }} {{ xs|max }} {{ [1,1,2]|unique|list }}`, `3 3 2 3-1-2 [1, 2, 3] [2, 1, 3] Hello, World X dflt 7 4 5 2.6 6 1 3 [1, 2]`},
		{"tojson", `{{ d|tojson }} {{ 'é"\\\n'|tojson }} {{ [1, 'a', none, false, 1.5]|tojson }} {{ d|tojson(indent=2) }} {{ {}|tojson }} {{ []|tojson(indent=2) }}`, `{"b": 1, "a": [true, null, 2.5]} "é\"\\\n" [1, "a", null, false, 1.5] {
  "b": 1,
  "a": [
    true,
    null,
    2.5
  ]
} {} []`},
		{"items and dict", `{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %} {{ d.get('zz', 'none') }} {{ d['b'] }} {{ d.b }} {{ d|length }}`, `b=1;a=[True, None, 2.5];ba none 1 1 2`},
		{"tests", `{{ n is defined }}{{ zz is defined }}{{ zz is undefined }}{{ none is none }}{{ s is string }}{{ n is number }}{{ n is integer }}{{ f is float }}{{ d is mapping }}{{ xs is iterable }}{{ n is odd }}{{ n is even }}{{ 9 is divisibleby 3 }}{{ false is false }}{{ true is true }}{{ n is not none }}{{ xs is sequence }}`, `TrueFalseTrueTrueTrueTrueTrueTrueTrueTrueTrueFalseTrueTrueTrueTrueTrue`},
		{"operators", `{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 'a' ~ 1 ~ none }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 5 }} {{ 'b' in 'abc' }} {{ 4 not in xs }} {{ not false and (true or false) }} {{ 1 if false }} {{ 'y' if n > 5 else 'n' }} {{ 1 == 1.0 }} {{ n - 1 * 2 }}`, `3 -4 1 2 3.5 1024 a1None ababab [1, 2] True False True True True  y True 5`},
		{"printing", `{{ none }} {{ true }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-7 }} {{ [1, 'a', none] }} {{ {'k': 'v'} }} {{ "it's" }} {{ undefined_var }}`, `None True 1.0 0.30000000000000004 1e+20 1.5e-07 [1, 'a', None] {'k': 'v'} it's `},
		{"macro", `{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', '?') }} {{ greet(name='Cy', punct='.') }}`, `Hi Ann! Hi Bob? Hi Cy.`},
		{"set block and tuple", `{% set a, b = [1, 2] %}{{ a }}{{ b }}{% set t %}inner {{ n }}{% endset %}{{ t }}`, `12inner 7`},
		{"selectattr map", `{{ msgs|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',') }} {{ msgs|rejectattr('role', 'eq', 'user')|list|length }} {{ msgs|map(attribute='role')|unique|list }}`, `U1,U2 2 ['system', 'user', 'assistant']`},
		{"filter precedence", `{{ msgs|length - 1 }} {{ -n|abs }} {{ not xs|length }} {{ xs|length > 2 }}`, `3 7 False True`},
		{"loop over messages", `{% for m in msgs %}{% if loop.first and m.role == 'system' %}[SYS {{ m.content }}]{% elif m.role == 'user' %}<u>{{ m['content'] }}{% else %}<a>{{ m.content }}{% endif %}{% endfor %}`, `[SYS S]<u>U1<a>A1<u>U2`},
		{"string escapes", `{{ 'a\tb\\n\x41\u00e9' }}|{{ "q'\"" }}`, `a	b\nAé|q'"`},
		{"cycle and prev", `{% for x in xs %}{{ loop.cycle('a', 'b') }}{{ loop.previtem }}{{ loop.nextitem }},{% endfor %}`, `a1,b32,a1,`},
		{"indent", `{{ 'a\nb\n\nc'|indent(2) }}|{{ 'a\nb'|indent(2, true) }}`, `a
  b

  c|  a
  b`},
		{"trailing newline", `x
`, `x`},
		{"str format", `{{ '<{}|{}>'.format('a', 1) }} {{ '{0}{0}{1}'.format('x', none) }} {{ '{k}!r'.format(k='v') }} {{ '{{lit}} {!r}'.format('q') }}`, `<a|1> xxNone v!r {lit} 'q'`},
		{"filter block", `{% filter upper %}hello {{ n }}{% endfilter %}|{%- filter trim -%}
  padded  
{%- endfilter -%}|`, `HELLO 7|padded|`},
		{"int dict keys", `{% set m = {1: 'one', 10: 'ten', 2: 'two'} %}{{ m[10] }} {% for k, v in m|dictsort %}{{ k }}={{ v }} {% endfor %}{{ m }} {{ 2 in m }}`, `ten 1=one 2=two 10=ten {1: 'one', 10: 'ten', 2: 'two'} True`},
		{"select on none", `{% set t = none %}{{ t|selectattr('type', 'equalto', 'x')|list|length }} {{ t|map(attribute='a')|list }}`, `0 []`},
		{"crlf template", "a\r\n{% if true %}\r\nb\r\n{% endif %}\r\n", `a
b
`},
	}
	for _, tt := range tests {
		tpl, err := Parse(tt.src)
		if err != nil {
			t.Errorf("%s: Parse: %v", tt.name, err)
			continue
		}
		got, err := tpl.Render(vars, time.Time{})
		if err != nil {
			t.Errorf("%s: Render: %v", tt.name, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"raise_exception", "{{ raise_exception('bad roles') }}", "bad roles"},
		{"attribute of undefined", "{{ nothing.here }}", "line 1: 'nothing' is undefined"},
		{"unclosed tag", "{{ x", "line 1: tag is not closed with }}"},
		{"unclosed comment", "{# x", "comment is not closed"},
		{"unclosed block", "{% if x %}", "missing {% endif %}"},
		{"wrong end", "{% if x %}{% endfor %}", "unexpected {% endfor %}, expected {% endif %}"},
		{"bad operand", "{{ 'a' + 1 }}", "unsupported operand type(s) for +: 'str' and 'int'"},
		{"not callable", "{{ x() }}", "'x' is undefined"},
		{"unknown test", "{{ 1 is shiny }}", "unknown test"},
		{"break outside loop", "{% break %}", "outside a loop"},
		{"line numbers", "a\nb\n{{ 1 + }}", "line 3:"},
	}
	for _, tt := range tests {
		tpl, err := Parse(tt.src)
		if err == nil {
			_, err = tpl.Render(nil, time.Time{})
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestStrftime(t *testing.T) {
	now := time.Date(2024, 7, 6, 15, 4, 5, 0, time.UTC)
	tests := []struct{ format, want string }{
		{"%d %b %Y", "06 Jul 2024"},
		{"%A %B %-d, %y", "Saturday July 6, 24"},
		{"%H:%M:%S %I%p %j %%", "15:04:05 03PM 188 %"},
		{"%Y-%m-%d", "2024-07-06"},
	}
	for _, tt := range tests {
		if got := strftime(now, tt.format); got != tt.want {
			t.Errorf("strftime(%q) = %q, want %q", tt.format, got, tt.want)
		}
	}
}
