# Sourced by run.sh and test.sh: create .venv if needed, install REQUIREMENTS, build translations.
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# shellcheck disable=SC1091
source .venv/bin/activate
stamp=".venv/.installed-$(cat requirements*.txt | sha1sum | cut -c1-12)-$1"
if [ ! -f "$stamp" ]; then
  python -m pip install -q --disable-pip-version-check --upgrade pip
  python -m pip install -q --disable-pip-version-check -r "$1"
  touch "$stamp"
fi
# The source strings are Dutch; the compiled catalogue gives the English UI.
if command -v msgfmt >/dev/null 2>&1; then
  python manage.py compilemessages -v0 --ignore=.venv --ignore=var
else
  echo "msgfmt (GNU gettext) not found: the UI will be Dutch only. apt-get install gettext adds English." >&2
fi
