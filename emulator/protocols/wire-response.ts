export type WireResponse = {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
};
