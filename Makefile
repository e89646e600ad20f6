# The two commands of the README: `make site` builds the blog into public/, `make test` runs
# every test. Both install the Debian packages they need first.
SWIFT ?= swift
PRENSA := .build/release/prensa

.PHONY: site test lint deps prensa clean fuzz

deps:
	@./scripts/install-deps.sh

prensa: deps
	$(SWIFT) build -c release --product prensa

site: prensa
	$(PRENSA) build

test: deps lint
	$(SWIFT) test

lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift Fuzz

# Every libFuzzer target for a minute (scripts/fuzz.sh TARGET SECONDS for one).
fuzz: deps
	./scripts/fuzz.sh all 60

clean:
	rm -rf .build .build-fuzz public
