import { describeExactlyOnce } from './exactlyOnceSuite';

describeExactlyOnce('postgres');
