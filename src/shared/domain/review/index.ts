export * from './reviewComment';
export * from './labelsDiff';
