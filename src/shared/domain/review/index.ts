export * from './reviewComment';
export * from './labelsDiff';
export * from './describePin';
