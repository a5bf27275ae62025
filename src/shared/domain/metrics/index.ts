export * from './geometry';
export * from './oks';
export * from './pck';
export * from './segmentMetrics';
export * from './agreement';
export * from './fromLabels';
export * from './fileAgreement';
export * from './documentAgreement';
