/** What every HTTP endpoint shares (JSON replies and the contract's error bodies), and the IT console page. */
package io.storegateway.web;
