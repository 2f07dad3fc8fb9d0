/** What every HTTP endpoint shares: JSON replies and the contract's error bodies. */
package io.storegateway.web;
