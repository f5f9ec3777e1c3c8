# shellcheck shell=bash
# The model goldens' renderer, sourced by `capture` (which writes the
# goldens) and tests/e2e/e2e_golden_model.sh (which compares with them), so
# both run every render the same way. Needs SONDE (the binary).
#
# golden_setup WORKDIR : prepares WORKDIR as every render's current
# directory: in/ (the committed inputs), collapse/ (tests/fixtures/collapse's
# perf script and folded texts), and a private copy of the committed build-id
# cache (reports mark the entries they read as used; the tree stays as it is).
# The names renders print are these relative ones, whatever the checkout.
GOLDEN_MODEL=${GOLDEN_MODEL:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}

golden_setup() {
	local w=$1
	mkdir -p "$w"
	ln -sfn "$GOLDEN_MODEL/inputs" "$w/in"
	ln -sfn "$GOLDEN_MODEL/../../fixtures/collapse" "$w/collapse"
	rm -rf "$w/buildid"
	cp -r "$GOLDEN_MODEL/buildid" "$w/buildid"
}

# golden_renders : the lines of `renders` as "NAME OUTPUT ARGS...", no comments
golden_renders() { grep -vE '^[[:space:]]*(#|$)' "$GOLDEN_MODEL/renders"; }

# golden_render WORKDIR DEST OUTPUT ARGS... : runs `sonde ARGS` in
# WORKDIR and puts what it printed (OUTPUT -) or the file it wrote (OUTPUT
# FILE) in DEST, its stderr in DEST.err; prints the exit status. The
# environment is pinned: the symbols come from the copied build-id cache
# only (not perf's ~/.debug, no extra debug dirs), kernel symbols from an
# empty list (this machine's kallsyms would show in any kernel frame), C
# locale, never a pager.
golden_render() {
	local w=$1 dest=$2 output=$3; shift 3
	local rc
	rm -f "$w/$output"
	(cd "$w" && env -u SONDE_DEBUG_DIRS LC_ALL=C TZ=UTC SONDE_BUILDID_DIR="$w/buildid" \
		PERF_BUILDID_DIR="$w/no-perf-cache" SONDE_KALLSYMS=/dev/null SONDE_PAGER=cat PAGER=cat \
		"$SONDE" "$@" >"$dest.stdout" 2>"$dest.err" </dev/null)
	rc=$?
	if [ "$output" = - ]; then
		mv "$dest.stdout" "$dest"
	else
		rm -f "$dest.stdout"
		mv "$w/$output" "$dest" 2>/dev/null || : >"$dest"
	fi
	echo "$rc"
}
