# The two commands of the README: `make run` and `make test`.
.PHONY: run test build deps tools schema clean

NODE_STAMP := node_modules/.package-lock.json

run: build
	node dist/generators/cli.js generate

test: build tools
	npx tsc -p tsconfig.test.json
	node dist/generators/cli.js schema --check
	npx vitest run

build: deps
	npx tsc -p tsconfig.json
	node dist/generators/validate/precompile-validators.js
	npx tsc -p sdk/tsconfig.json
	npx tsc -p ui/tsconfig.json

deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_STAMP)

tools:
	@bash tools/ensure-test-tools.sh

schema: build
	node dist/generators/cli.js schema

clean:
	rm -rf dist out
