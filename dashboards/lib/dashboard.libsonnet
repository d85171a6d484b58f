// Dashboard skeleton: datasource, environment and cluster variables, links, time.
local panels = import 'panels.libsonnet';

{
  datasourceVariable:: {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    hide: 0,
    refresh: 1,
    regex: '',
    options: [],
  },

  // A label-values variable over a recorded series; multi-select with All meaning any value.
  labelVariable(v, seriesQuery):: {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: panels.datasource,
    query: { qryType: 1, query: 'label_values(' + seriesQuery + ', ' + v.labelName + ')', refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    hide: 0,
    includeAll: true,
    allValue: '.*',
    multi: true,
    refresh: 2,
    regex: '',
    sort: 1,
    options: [],
  },

  // A fixed list of values (the SLIs of a service), with All.
  customVariable(name, label, values):: {
    name: name,
    label: label,
    type: 'custom',
    query: std.join(',', values),
    hide: 0,
    includeAll: true,
    allValue: '.*',
    multi: true,
    options: [],
  },

  link(title, url, tooltip=''):: {
    title: title,
    type: 'link',
    url: url,
    tooltip: tooltip,
    icon: 'external link',
    tags: [],
    asDropdown: false,
    includeVars: true,
    keepTime: true,
    targetBlank: false,
  },

  new(uid, title, description, tags, variables, panelList, links=[], from='now-6h'):: {
    uid: uid,
    title: title,
    description: description,
    tags: tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    timezone: 'utc',
    time: { from: from, to: 'now' },
    templating: { list: [$.datasourceVariable] + variables },
    annotations: { list: [] },
    links: links,
    panels: panelList,
  },
}
