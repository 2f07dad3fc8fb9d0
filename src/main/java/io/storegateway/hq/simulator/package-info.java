/** The HQ simulator: a reference HQ on a real socket for {@code demo}, {@code hq-simulator} and the tests, with faults and edits at HQ on demand. */
package io.storegateway.hq.simulator;
