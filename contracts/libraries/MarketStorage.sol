// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IGreenCertificates} from "../interfaces/IGreenCertificates.sol";
import {IMarket} from "../interfaces/IMarket.sol";

/// @dev Parameters read together on every settlement, packed into one slot.
struct Settings {
    address treasury;
    uint16 feeBps;
    uint32 challengePeriod;
    uint32 reportGracePeriod;
}

/// @dev A parameter change waiting for its delay; effectiveAt 0 means none. Values of every
/// parameter fit 32 bits (periods in seconds, fee in bps, factors in gCO2e/kWh).
struct ScheduledChange {
    uint40 effectiveAt;
    uint32 value;
}

/// @dev The id counters, packed into one slot so that a settlement batch writes it warm after the first deal.
struct Counters {
    uint48 bids;
    uint48 computeOffers;
    uint48 energyOffers;
    uint48 bandwidthOffers;
    uint48 deals;
}

/// @dev A region's own grid factor; `isSet` tells an explicit 0 g/kWh from "use the default".
struct GridFactor {
    bool isSet;
    uint16 gCO2ePerKwh;
}

/// @dev The market's orders, deals and emission factors, grouped so that the settlement library
/// can take them by one storage reference.
struct Book {
    Counters counts;
    mapping(uint256 bidId => IMarket.Bid) bids;
    mapping(uint256 offerId => IMarket.ComputeOffer) computeOffers;
    mapping(uint256 offerId => IMarket.EnergyOffer) energyOffers;
    mapping(uint256 offerId => IMarket.BandwidthOffer) bandwidthOffers;
    mapping(uint256 dealId => IMarket.Deal) deals;
    mapping(uint8 region => GridFactor) gridFactors;
    mapping(IGreenCertificates.EnergySource source => uint16) sourceFactors;
}
