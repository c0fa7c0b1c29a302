S("python-poetry/poetry", "docs/cli.md", "8b16de3d131a8bcf2696e61af76d945e34986485")
add("ordinary", None, "new / init / show", r'''
poetry new my-package
poetry new my-folder --name my-package
poetry new --src my-package
poetry new --src --name my.package my-package
poetry init
poetry show
poetry show pendulum
''')
add("public_host", None, "install / update / add", r'''
poetry install
poetry install --without test,docs
poetry install --with test,docs
poetry install --only test,docs
poetry install --only-root
poetry install --sync
poetry install --without dev --sync
poetry install --with docs --sync
poetry install --only dev --sync
poetry install --extras "mysql pgsql"
poetry install -E mysql -E pgsql
poetry install --all-extras
poetry install --extras "A B"
poetry install --no-root
poetry install --no-directory
poetry install --compile
poetry update
poetry update requests toml
poetry add requests pendulum
poetry add pendulum@^2.0.5
poetry add pendulum@~2.0.5
poetry add "pendulum>=2.0.5"
poetry add pendulum==2.0.5
poetry add pendulum@latest
poetry add git+https://github.com/sdispater/pendulum.git
poetry add git+ssh://git@github.com/sdispater/pendulum.git
poetry add git+ssh://git@github.com:sdispater/pendulum.git
poetry add git+https://github.com/sdispater/pendulum.git#develop
poetry add git+https://github.com/sdispater/pendulum.git#2.0.5
poetry add git+ssh://git@github.com:sdispater/pendulum.git#develop
poetry add git+ssh://git@github.com:sdispater/pendulum.git#2.0.5
poetry add git+https://github.com/myorg/mypackage_with_subdirs.git@main#subdirectory=subdir
poetry add --editable git+ssh://github.com/sdispater/pendulum.git#develop
poetry add "requests[security,socks]"
poetry add "requests[security,socks]~=2.22.0"
poetry add "git+https://github.com/pallets/flask.git@1.1.1[dotenv,dev]"
poetry add mkdocs --group docs
''')
S("astral-sh/uv", "README.md", "0472fe79af087481ad727a07d4f17f6eb4c5c044")
add("public_host", None, "Installation / Features", r'''
curl -LsSf https://astral.sh/uv/install.sh | sh
pip install uv
uv add ruff
uvx pycowsay 'hello world!'
uv tool install ruff
uv python install 3.10 3.11 3.12
uv venv --python 3.12.0
uv run --python pypy@3.8 -- python --version
uv add --script example.py requests
uv run example.py
uv pip compile docs/requirements.in \
   --universal \
   --output-file docs/requirements.txt
uv pip sync docs/requirements.txt
''')
add("ordinary", None, "Features", r'''
uv init example
cd example
uv run ruff check
ruff --version
uv python pin pypy@3.11
echo 'import requests; print(requests.get("https://astral.sh"))' > example.py
uv venv
''')
S("astral-sh/ruff", "README.md", "62ef48790c9851d87440652814e7921b13bf3a51")
add("ordinary", None, "noqa / GitHub Actions / Development / Benchmarking", r'''
ruff /path/to/file.py --extend-select M001
ruff /path/to/file.py --extend-select M001 --fix
ruff /path/to/file.py --add-noqa
ruff .
cargo run resources/test/fixtures
cargo fmt
cargo clippy
cargo test
cargo build --release
hyperfine --ignore-failure --warmup 10 --runs 100 \
  "./target/release/ruff ./resources/test/cpython/ --no-cache" \
  "./target/release/ruff ./resources/test/cpython/"
hyperfine --ignore-failure --warmup 5 \
  "./target/release/ruff ./resources/test/cpython/ --no-cache" \
  "pylint --recursive=y resources/test/cpython/" \
  "pyflakes resources/test/cpython" \
  "autoflake --recursive --expand-star-imports --remove-all-unused-imports --remove-unused-variables --remove-duplicate-keys resources/test/cpython" \
  "pycodestyle resources/test/cpython" \
  "flake8 resources/test/cpython" \
  "python -m scripts.run_flake8 resources/test/cpython"
''')
add("public_host", None, "GitHub Actions / Benchmarking", r'''
python -m pip install --upgrade pip
pip install ruff
git clone --branch 3.10 https://github.com/python/cpython.git resources/test/cpython
''')
