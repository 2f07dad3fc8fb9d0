package io.storegateway.admin;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BodyUpdateKeysTest {

    @Test
    void readsTheIdAndSkuOfAnUpdateThatFailedValidation() {
        BodyUpdateKeys keys = BodyUpdateKeys.of("{\"updateId\":\"u-1\",\"sku\":\"SKU-0001\",\"type\":\"ADJUST_QUANTITY\",\"delta\":\"x\"}");

        assertThat(keys).isEqualTo(new BodyUpdateKeys("u-1", "SKU-0001"));
    }

    @Test
    void listsEachDistinctOneOfAnArrayAndCutsTheRest() {
        BodyUpdateKeys keys = BodyUpdateKeys.of("[{\"updateId\":\"a\",\"sku\":\"S1\"},{\"updateId\":\"b\",\"sku\":\"S1\"},"
                + "{\"updateId\":\"c\"},{\"updateId\":\"d\",\"sku\":7}]");

        assertThat(keys.updateIds()).isEqualTo("a, b, c, …");
        assertThat(keys.skus()).isEqualTo("S1");
    }

    @Test
    void findsThemInABodyThatIsNotJson() {
        BodyUpdateKeys keys = BodyUpdateKeys.of("{\"updateId\": \"u-2\", \"sku\":\"SKU-0002\", \"delta\": 1,,");

        assertThat(keys).isEqualTo(new BodyUpdateKeys("u-2", "SKU-0002"));
    }

    @Test
    void answersNothingForABodyWithoutThem() {
        assertThat(BodyUpdateKeys.of("<img src=x>")).isEqualTo(new BodyUpdateKeys(null, null));
        assertThat(BodyUpdateKeys.of("[1, 2]")).isEqualTo(new BodyUpdateKeys(null, null));
        assertThat(BodyUpdateKeys.of("")).isEqualTo(new BodyUpdateKeys(null, null));
    }
}
