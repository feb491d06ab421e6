/** Types for the parts of `ipp-encoder` (an IPP/1.1 message encoder and decoder) the IPP source uses. */
declare module 'ipp-encoder' {
  export interface IppAttribute {
    tag: number;
    name: string;
    value: unknown[] | unknown;
  }
  export interface IppGroup {
    tag: number;
    attributes: IppAttribute[];
  }
  export interface IppMessage {
    version?: { major: number; minor: number };
    operationId?: number;
    statusCode?: number;
    requestId: number;
    groups: IppGroup[];
    data?: Buffer;
  }
  interface Codec {
    decode(buf: Buffer, start?: number, end?: number): IppMessage & { groups: (IppGroup & { attributes: (IppAttribute & { value: unknown[] })[] })[] };
    encode(obj: IppMessage, buf?: Buffer, offset?: number): Buffer;
    encodingLength(obj: IppMessage): number;
  }
  export const request: Codec;
  export const response: Codec;
  export const CONSTANTS: Record<string, number>;
  export const STATUS_CODES: Record<string, string>;
}
