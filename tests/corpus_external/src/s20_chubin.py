S("chubin/cheat.sheets", "sheets/_bash/forkbomb", "54ba5234a4816d73c0219b0f77a73b5de563b7df")
add(M, "resource_hijack", "Forkbomb", r'''
:(){ :|: & };:
''')
S("chubin/cheat.sheets", "sheets/go", "4bcc9d961a3a76ac219bcb69e354fb97c57c5540")
add("ordinary", None, "Go", r'''
go run file.go
go build
go test
go install
''')
add("public_host", None, "Go", r'''
go get github.com/spf13/cobra
''', note="package_path placeholder filled with github.com/spf13/cobra")
S("chubin/cheat.sheets", "sheets/jq", "0adbf033480514d89b27e91fc78d2f8948870d2f")
add("ordinary", None, "jq", r'''
jq .[]
jq --slurp
jq .[0]
jq .[0].key_name
jq 'map(.key_name)'
jq '.[] | .foo'
jq '.[1:2]'
jq 'map({ a, b })'
jq -r '(map(keys) | add | unique | sort) as $cols \
        | .[] as $row | $cols | map($row[.]) | @csv'
jq 'map(select(.name == "foo"))'
jq 'map(.+1)'
jq 'del(.[1, 2])'
jq 'add'
jq 'flatten'
jq '[range(2;4)]'
jq 'map(type)'
jq 'sort'
jq 'sort_by(.foo)'
jq --slurp '. | sort | .[]'
jq 'group_by(.foo)'
jq 'min'
jq 'unique'
jq 'unique_by(.foo)'
jq 'unique_by(length)'
jq 'reverse'
date | jq -sRr @uri
jq -n --arg foobaz "$FOOBAZ" '{"foobaz":$foobaz}'
export $(jq -r '@sh "FOO=\(.foo) BAZ=\(.baz)"')
jq 'with_entries(.value |= fromjson)' --sort-keys
jq 'with_entries(.value |= tojson)' --sort-keys
jq '.[] | [.foo, .bar] | @csv' -r
''')
