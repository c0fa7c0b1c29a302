S("rust-lang/cargo", "src/doc/man/cargo-add.md", "2228ebbcf9e4b579d95fae68f16efbb75e3a3d9f")
add("public_host", None, "EXAMPLES", r'''
cargo add regex
cargo add --dev trybuild
cargo add nom@5
cargo add serde serde_json -F serde/derive
cargo add windows --target 'cfg(windows)'
''')
S("rust-lang/cargo", "src/doc/man/cargo-install.md", "111307766a18c4f9b3b8163840c64812fce4e647")
add("public_host", None, "EXAMPLES", r'''
cargo install ripgrep
cargo install --path .
''')
add("ordinary", None, "EXAMPLES", r'''
cargo install --list
''')
S("rust-lang/cargo", "src/doc/man/cargo-tree.md", "168d229be6e564865a8e7f30b3ef1565db879027")
add("ordinary", None, "EXAMPLES", r'''
cargo tree
cargo tree -i syn
cargo tree --format "{p} {f}"
cargo tree -d
cargo tree -e features -i syn
''')
