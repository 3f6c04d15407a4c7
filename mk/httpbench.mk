# mk/httpbench.mk - the HTTP benchmark (bench/http_bench.sh): examples/website
# on the unix target and under atoll-spt against nginx, over HTTP and
# HTTPS, and the memory 1000 connections take; run by `make bench` through
# EXTRA_BENCH.  nginx (nginx-light) is installed for it by
# scripts/install-bench-deps.sh; wrk and openssl come with the test deps.
.PHONY: bench-http
bench-http: libs bin/atoll bin/atoll-spt hvt-libs bench-net-deps
	@BUILD=$(BUILD) bash bench/http_bench.sh

EXTRA_BENCH += bench-http
