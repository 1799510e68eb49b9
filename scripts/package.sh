#!/usr/bin/env bash
# Build the self-contained Linux package of Pixie Desktop:
#   1. the wheel (`pip wheel --no-deps`, from a clean copy of the working tree);
#   2. a build venv (build/package/venv, kept between builds) with that wheel installed normally
#      (not editable) plus PyInstaller;
#   3. the one-folder PyInstaller bundle (packaging/pixie-desktop.spec): `pixie-desktop` + its
#      _internal/ folder, runnable with no Python on the machine; zero-setup tools run on the
#      bundle's own Python through the executable's hidden `--pixie-run-python` mode;
#   4. a .deb (dpkg-deb, no docker) installing the bundle to /opt/pixie-desktop, the launcher
#      /usr/bin/pixie-desktop (a symlink), the desktop entry (rendered from resources/ by the app's
#      own integration code and checked with desktop-file-validate), the icon in the hicolor theme
#      (scalable + 16…256 px) and the shared-mime-info type of a tool manifest (tool.json). The
#      menu, icon and MIME caches are refreshed by dpkg's file triggers (desktop-file-utils,
#      hicolor-icon-theme, shared-mime-info), so the package has no maintainer scripts.
# Outputs (in --out DIR, default dist/): pixie_desktop-<v>-py3-none-any.whl, pixie-desktop/ (the
# bundle) and pixie-desktop_<v>_<arch>.deb. tests/test_packaging.py (marked `packaging`) builds
# with this script and checks all three: `bash scripts/dev.sh test -m packaging`.
# Usage: bash scripts/package.sh [--out DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py="${PYTHON:-python3}"
out="$here/dist"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    *) echo "usage: bash scripts/package.sh [--out DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="${PIXIE_PACKAGE_WORK:-$here/build/package}"   # the build venv lives here between builds
mkdir -p "$work"
step() { echo "› $*" >&2; }
for need in dpkg-deb desktop-file-validate; do
  command -v "$need" >/dev/null || { echo "package.sh needs $need (apt-get install dpkg desktop-file-utils)" >&2; exit 1; }
done
version="$("$py" -c 'import re,sys; print(re.search(r"^version\s*=\s*\"([^\"]+)\"", open(sys.argv[1]).read(), re.M).group(1))' "$here/pyproject.toml")"
arch="$(dpkg --print-architecture)"

step "building the wheel"
# From a clean copy: setuptools reuses a stale build/ folder, and a tool's .venv or the repo's
# pixie.db and artefacts have no business near a build (same rules as scripts/check_wheel.sh).
rm -rf "$work/src" "$work/wheel"
"$py" - "$here" "$work/src" <<'EOF'
import shutil, sys
from pathlib import Path
src = Path(sys.argv[1])
top = {".git", ".venv", "build", "dist", "artefacts", "screenshots", ".cache", ".pytest_cache", ".hypothesis"}
def ignore(folder, names):
    at_top = Path(folder) == src
    return [n for n in names if n in (".venv", "__pycache__") or n.endswith(".egg-info")
            or (at_top and (n in top or n.startswith("pixie.db")))]
shutil.copytree(src, sys.argv[2], ignore=ignore)
EOF
"$py" -m pip wheel --quiet --no-deps --wheel-dir "$work/wheel" "$work/src" >&2
wheel="$(ls "$work"/wheel/pixie_desktop-*.whl)"
rm -f "$out"/pixie_desktop-*.whl
cp "$wheel" "$out/"

step "build venv with the wheel and PyInstaller ($work/venv)"
venv="$work/venv"
[ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
if ! "$venv/bin/python" -c "import PyInstaller" 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet "pyinstaller>=6.0" >&2
fi
"$venv/bin/python" -m pip install --quiet "$wheel" >&2   # dependencies once
"$venv/bin/python" -m pip install --quiet --no-deps --force-reinstall "$wheel" >&2   # this build's code

step "PyInstaller one-folder bundle"
# From inside $work, so the checkout can never be picked up instead of the installed package.
rm -rf "$work/pyi-dist" "$work/pyi-work"
cp "$here/packaging/entry.py" "$here/packaging/pixie-desktop.spec" "$work/"
(cd "$work" && PYTHONNOUSERSITE=1 "$venv/bin/python" -m PyInstaller --noconfirm --log-level WARN \
   --distpath "$work/pyi-dist" --workpath "$work/pyi-work" "$work/pixie-desktop.spec" >&2)
bundle="$work/pyi-dist/pixie-desktop"
[ -x "$bundle/pixie-desktop" ] || { echo "PyInstaller made no $bundle/pixie-desktop" >&2; exit 1; }
"$bundle/pixie-desktop" --version >&2
rm -rf "$out/pixie-desktop"
cp -a "$bundle" "$out/pixie-desktop"
echo "  bundle: $out/pixie-desktop ($(du -sh "$bundle" | cut -f1))" >&2

step "staging the .deb"
root="$work/deb-root"
rm -rf "$root"
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
         "$root/usr/share/mime/packages" "$root/usr/share/doc/pixie-desktop"
cp -a "$bundle" "$root/opt/pixie-desktop"
ln -s /opt/pixie-desktop/pixie-desktop "$root/usr/bin/pixie-desktop"
# The entry and the icon list come from the app's own integration code (integration/entry.py,
# integration/paths.py), so `pixie-desktop install-desktop-entry` and the package agree.
# (from $work, so the checkout's pixie_desktop is not the one imported)
(cd "$work" && "$venv/bin/python" - "$root" "$here/packaging/pixie-desktop-mime.xml") <<'EOF'
import shutil, sys
from pathlib import Path
from pixie_desktop.integration import entry, paths
root = Path(sys.argv[1])
text = entry.render_entry(["/usr/bin/pixie-desktop"])
mime = "application/x-pixie-tool+json"
lines = [line.rstrip(";") + f";{mime};" if line.startswith("MimeType=") and mime not in line else line
         for line in text.splitlines()]
assert any(mime in line for line in lines), "the desktop entry template has no MimeType= line"
text = "\n".join(lines) + "\n"
(root / "usr/share/applications" / paths.DESKTOP_FILE_NAME).write_text(text, encoding="utf-8")
hicolor = root / "usr/share/icons/hicolor"
(hicolor / "scalable/apps").mkdir(parents=True)
shutil.copy(paths.icon_svg(), hicolor / "scalable/apps" / f"{paths.ICON_NAME}.svg")
for n in paths.ICON_SIZES:
    (hicolor / f"{n}x{n}/apps").mkdir(parents=True)
    shutil.copy(paths.icon_png(n), hicolor / f"{n}x{n}/apps" / f"{paths.ICON_NAME}.png")
shutil.copy(sys.argv[2], root / "usr/share/mime/packages/pixie-desktop.xml")
EOF
cat > "$root/usr/share/doc/pixie-desktop/copyright" <<'EOF'
Pixie Desktop, MIT licence. The bundled third-party libraries (Qt for Python / PySide6 under the
LGPLv3, Qt, Python, matplotlib, NumPy and others) keep their own licences; their notices are in
/opt/pixie-desktop/_internal (the *.dist-info folders).
EOF
desktop-file-validate "$root/usr/share/applications/pixie-desktop.desktop"
find "$root" -type d -exec chmod 0755 {} +
installed_kb="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
# Depends: what the bundled Qt's xcb platform plugin loads from the system (not in the PySide6
# wheels), the GL/font/D-Bus libraries, and the cache tools named above.
cat > "$root/DEBIAN/control" <<EOF
Package: pixie-desktop
Version: $version
Architecture: $arch
Maintainer: Pixie Desktop maintainers <pixie-desktop@users.noreply.github.com>
Installed-Size: $installed_kb
Section: utils
Priority: optional
Depends: libc6, libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0,
 libxkbcommon-x11-0, libx11-xcb1, libxcb1, libxcb-cursor0, libxcb-icccm4, libxcb-image0,
 libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xinerama0, libxcb-xkb1,
 libxcb-xfixes0, libxcb-sync1, libxcb-render0, libxcb-shm0
Recommends: desktop-file-utils, shared-mime-info, hicolor-icon-theme, python3, python3-venv
Homepage: https://github.com/pixie-desktop/pixie-desktop
Description: native desktop home for small Python tools
 Pixie Desktop turns a folder of small Python tools (a tool.json and a main.py)
 into forms, runs, history and a gallery of outputs. Self-contained: it brings
 its own Python and Qt; tools without their own .venv run on that Python.
 python3 is only needed to set up tools that declare their own dependencies.
EOF
deb="$out/pixie-desktop_${version}_${arch}.deb"
rm -f "$deb"
step "dpkg-deb --build"
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >&2
echo "  $deb ($(du -h "$deb" | cut -f1))" >&2
echo "package OK: $out"
