import { afterAll } from '@jest/globals';
import { removeRunDirs } from './run-action.js';

// Every test file removes the temporary directories of the actions it ran.
afterAll(() => removeRunDirs());
