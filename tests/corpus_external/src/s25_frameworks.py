S("django/django", "docs/intro/tutorial01.txt", "e0dd8a930b38a5a729b52fb85d23d1ad58c35064")
add("ordinary", None, "Creating a project / The development server / Database setup / Creating models", r'''
django-admin.py startproject mysite
chmod +x django-admin.py
python manage.py runserver
python manage.py runserver 8080
python manage.py runserver 0.0.0.0:8000
python manage.py syncdb
python manage.py startapp polls
python manage.py sql polls
''')
S("pytest-dev/pytest", "doc/en/getting-started.rst", "197c99634551401d7e39be04fdae53350c9cf198")
add("public_host", None, "Install pytest", r'''
pip install -U pytest
''')
add("ordinary", None, "Getting started", r'''
pytest --version
pytest
pytest -q test_sysexit.py
pytest -q test_class.py
pytest -q test_tmpdir.py
pytest --fixtures
''')
S("rust-lang/book", "src/ch01-03-hello-cargo.md", "0101488d375afe11e140ef44d2109882c3e33a3e")
add("ordinary", None, "Hello, Cargo!", r'''
cargo --version
cargo new hello_cargo
cd hello_cargo
cargo build
./target/debug/hello_cargo
cargo run
cargo check
cd someproject
''')
add("public_host", None, "Cargo as Convention", r'''
git clone example.org/someproject
''')
S("rust-lang/book", "src/appendix-04-useful-development-tools.md", "005f9cf0b5599aac20075e93df34464e85e2d41a")
add("public_host", None, "rustfmt / Clippy", r'''
rustup component add rustfmt
rustup component add clippy
''')
add("ordinary", None, "rustfix", r'''
cargo fix
''')
S("tiangolo/fastapi", "README.md", "2ba6b2010c01a6af2988e5e6406fc9ab381a4d57")
add("public_host", None, "Installation", r'''
pip install fastapi
''')
add("ordinary", None, "Run it", r'''
fastapi dev main.py
fastapi run
''')
S("psf/black", "README.md", "ac2348bdd300b4061d83f4a4ae514b921fb9b02e")
add("public_host", None, "Installation", r'''
pip install black
pip install git+git://github.com/psf/black
''')
add("ordinary", None, "Usage / git blame", r'''
black src/
python -m black src/
black --help
git blame important.py --ignore-revs-file .git-blame-ignore-revs
git config blame.ignoreRevsFile .git-blame-ignore-revs
''', note="{source_file_or_directory} placeholder filled with src/")
