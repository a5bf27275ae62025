import { describeExactlyOnce } from './exactlyOnceSuite';

describeExactlyOnce('pglite');
