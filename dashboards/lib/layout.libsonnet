// Places panels on Grafana's 24-column grid, left to right, wrapping lines; rows take a
// whole line. Ids follow placement order, so they are stable for the same catalog.
{
  grid(panels)::
    local step(state, p) =
      local fits = state.x + p.size.w <= 24;
      local isRow = p.type == 'row';
      local x = if isRow || !fits then 0 else state.x;
      local y = if isRow then state.y + state.lineH
      else if !fits then state.y + state.lineH
      else state.y;
      local placed = p { id: std.length(state.out) + 1, gridPos: { x: x, y: y, w: p.size.w, h: p.size.h } };
      if isRow then
        { x: 0, y: y + 1, lineH: 0, out: state.out + [placed] }
      else
        { x: x + p.size.w, y: y, lineH: if fits && !isRow then std.max(state.lineH, p.size.h) else p.size.h, out: state.out + [placed] };
    std.foldl(step, panels, { x: 0, y: 0, lineH: 0, out: [] }).out,
}
