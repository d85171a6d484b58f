// The package ships types but its "exports" map hides them from NodeNext resolution;
// this declares the part of its API slokit uses.
declare module '@hanazuki/node-jsonnet' {
  export class Jsonnet {
    constructor();
    setMaxStack(value: number): this;
    extCode(key: string, value: string): this;
    addJpath(path: string): this;
    evaluateSnippet(snippet: string, filename?: string): Promise<string>;
  }
}
