// Every service and SLI in one table, worst error budget first, each row linking to its dashboard.
local d = import 'lib/dashboard.libsonnet';
local p = import 'lib/panels.libsonnet';

local coloured(name, unit, thresholds, decimals) = {
  matcher: { id: 'byName', options: name },
  properties: [
    { id: 'unit', value: unit },
    { id: 'decimals', value: decimals },
    { id: 'thresholds', value: thresholds },
    { id: 'custom.cellOptions', value: { type: 'color-background' } },
  ],
};

function(vm)
  local o = vm.overview;
  d.new(
    vm.overviewUid,
    'SLO / overview',
    'Every SLI of the catalog with its objective, current share of good events, error budget left and burn rate, worst first.',
    ['slokit', 'slo', 'overview'],
    [d.labelVariable(v, o.variableQuery) for v in vm.variables],
    [
      p.table(
        'Service level objectives',
        'One row per SLI. Budget left is over the SLO period; burn rate and good events are over the last hour. Click a service to open its dashboard.',
        'percentunit',
        p.targets([[o.objective, ''], [o.good, ''], [o.budgetRemaining, ''], [o.burnRate, '']], instant=true, format='table'),
        [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              indexByName: { service: 0, sli: 1, 'Value #A': 2, 'Value #B': 3, 'Value #C': 4, 'Value #D': 5 },
              renameByName: { service: 'Service', sli: 'SLI', 'Value #A': 'Objective', 'Value #B': 'Good (1h)', 'Value #C': 'Budget left', 'Value #D': 'Burn rate (1h)' },
            },
          },
          { id: 'sortBy', options: { sort: [{ field: 'Budget left', desc: false }] } },
        ],
        [
          {
            matcher: { id: 'byName', options: 'Service' },
            properties: [{ id: 'links', value: [{ title: 'Open ${__value.text}', url: '/d/slokit-${__value.text}/${__value.text}?${__url_time_range}&var-sli=${__data.fields.SLI}' }] }],
          },
          { matcher: { id: 'byName', options: 'Objective' }, properties: [{ id: 'decimals', value: 3 }] },
          coloured('Good (1h)', 'percentunit', p.thresholds('red', [[0.99, 'orange'], [0.999, 'green']]), 3),
          coloured('Budget left', 'percentunit', p.thresholds('red', [[0, 'orange'], [0.25, 'green']]), 1),
          coloured('Burn rate (1h)', 'x', p.thresholds('green', [[1, 'orange'], [6, 'red']]), 2),
        ],
        [{ displayName: 'Budget left', desc: false }],
        // Tall enough for every SLI up to a screenful or two; beyond that the table scrolls.
        // Counted, not flattened: flattening every service's SLIs cost 0.6 s at 5,000 services.
        h=std.min(4 + 2 * std.sum([std.length(s.slis) for s in vm.services]), 60),
      ),
    ],
    [d.link('Upgrade watch', '/d/' + vm.upgradesUid + '/upgrades', 'Versions running and budget burn during rollouts')],
    from='now-1h',
  )
