/** VPC Flow Logs ingestion: detection, streaming parsing, file readers, store appends. */
export * from '../../store/vpcflow-fields.js';
export * from './parser.js';
export * from './reader.js';
export * from './detect.js';
export * from './ingest.js';
export * from './fast.js';
export {
  installVpcFlowSchema,
  appendFlowRecords,
  appendFlowCsv,
  flowRecordKey,
  type AppendResult,
  type CsvLoad,
  type StartRange,
} from '../../store/vpcflow-schema.js';
