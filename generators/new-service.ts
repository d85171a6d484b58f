/** `slokit new-service NAME`: a commented catalog entry a team fills in. */
export function newServiceYaml(name: string, team: string): string {
  return `# yaml-language-server: $schema=../schema/service.schema.json
# Catalog entry for ${name}. Fill in the TODOs, then run: slokit validate
name: ${name}
description: TODO one sentence on what ${name} does for its users.
team: ${team}             # must be listed in catalog/teams.yaml
tier: 2                   # 1: user-facing, pages; 2: pages; 3: tickets only (objectives default per tier)
dependencies: []          # other catalog services this one needs, e.g. [postgres, redis]
runbook:
  steps:
    - TODO what a responder should check or do first when ${name} burns its budget.
saturation:               # what runs out before users notice; bundled resources are in alerts/resources/
  - resource: open-fds
    selector: job="${name}"
  - resource: node-cpu
    selector: job="node", instance=~"TODO-${name}-.*"
slis:
  # Services that use @slokit/sdk get the standard metrics; an http SLI needs only a selector.
  - name: requests
    description: HTTP requests served by ${name}.
    kind: http
    selector: job="${name}"
    objective: 99.9         # percent of requests that must not fail with a 5xx
    significant_labels: [http_route, http_request_method]
  - name: request-latency
    description: HTTP requests answered within 500ms.
    kind: http
    measure: latency
    selector: job="${name}"
    threshold: 0.5          # seconds; must be a bucket boundary of the standard histogram
    objective: 99
  # Other kinds: error-ratio (bad/good + total counters), latency and apdex (any histogram),
  # job (standard background jobs), raw (any numerator and denominator). See README.md.
`;
}
