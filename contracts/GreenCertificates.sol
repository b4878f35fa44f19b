// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IGreenCertificates} from "./interfaces/IGreenCertificates.sol";
import {Hours} from "./libraries/Hours.sol";
import {MarketCodes} from "./libraries/MarketCodes.sol";

/// @title Green certificates (绿证): one ERC-1155 id per device-hour, one unit per Wh
contract GreenCertificates is ERC1155, AccessControl, IGreenCertificates {
    /// @inheritdoc IGreenCertificates
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @inheritdoc IGreenCertificates
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @inheritdoc IGreenCertificates
    uint8 public constant MAX_REGION = MarketCodes.MAX_REGION;

    /// @inheritdoc IGreenCertificates
    uint16 public constant MAX_ISSUE_HOURS = uint16(Hours.MAX_OFFER_HOURS);

    uint32 private _deviceCount;
    uint64 private _issueCount;
    mapping(uint256 deviceId => Device) private _devices;

    /// @param admin receives DEFAULT_ADMIN_ROLE (grants MARKET_ROLE to the market and REGISTRAR_ROLE)
    /// @param registrar receives REGISTRAR_ROLE
    /// @param uri_ ERC-1155 metadata URI template (`{id}` is replaced by clients)
    constructor(address admin, address registrar, string memory uri_) ERC1155(uri_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, registrar);
    }

    /// @inheritdoc IGreenCertificates
    function registerDevice(
        uint8 source,
        uint8 region,
        uint64 capacityW,
        uint40 commissionedAt,
        string calldata metadataURI
    ) external returns (uint256 deviceId) {
        if (source > uint8(type(EnergySource).max)) revert CertificatesUnknownEnergySource(source);
        if (!MarketCodes.isRegion(region)) revert CertificatesUnknownRegion(region);
        if (capacityW == 0 || commissionedAt > block.timestamp) {
            revert CertificatesInvalidDevice(capacityW, commissionedAt);
        }
        deviceId = ++_deviceCount;
        _devices[deviceId] = Device({
            owner: msg.sender,
            source: EnergySource(source),
            region: region,
            status: DeviceStatus.Pending,
            commissionedAt: commissionedAt,
            capacityW: capacityW,
            issuedUntil: 0,
            metadataURI: metadataURI
        });
        emit DeviceRegistered(
            deviceId,
            msg.sender,
            EnergySource(source),
            region,
            capacityW,
            commissionedAt,
            metadataURI
        );
    }

    /// @inheritdoc IGreenCertificates
    function approveDevice(uint256 deviceId) external onlyRole(REGISTRAR_ROLE) {
        Device storage device = _existingDevice(deviceId);
        if (device.owner == msg.sender) revert CertificatesRegistrarIsOwner(deviceId, msg.sender);
        DeviceStatus status = device.status;
        if (status != DeviceStatus.Pending && status != DeviceStatus.Suspended) {
            revert CertificatesInvalidDeviceStatus(deviceId, status, DeviceStatus.Pending);
        }
        device.status = DeviceStatus.Approved;
        emit DeviceApproved(deviceId, msg.sender);
    }

    /// @inheritdoc IGreenCertificates
    function suspendDevice(uint256 deviceId) external onlyRole(REGISTRAR_ROLE) {
        Device storage device = _existingDevice(deviceId);
        if (device.status != DeviceStatus.Approved) {
            revert CertificatesInvalidDeviceStatus(deviceId, device.status, DeviceStatus.Approved);
        }
        device.status = DeviceStatus.Suspended;
        emit DeviceSuspended(deviceId, msg.sender);
    }

    /// @inheritdoc IGreenCertificates
    function issue(uint256 deviceId, uint40 firstHour, uint64[] calldata whPerHour) external returns (uint256 issueId) {
        Device storage device = _existingDevice(deviceId);
        if (device.owner != msg.sender) revert CertificatesNotDeviceOwner(deviceId, msg.sender, device.owner);
        if (device.status != DeviceStatus.Approved) {
            revert CertificatesInvalidDeviceStatus(deviceId, device.status, DeviceStatus.Approved);
        }
        uint256 hourCount = whPerHour.length;
        uint256 end = uint256(firstHour) + hourCount * Hours.SECONDS_PER_HOUR;
        if (!Hours.isOnHour(firstHour) || hourCount == 0 || hourCount > MAX_ISSUE_HOURS || end > block.timestamp) {
            revert CertificatesInvalidHours(firstHour, hourCount, block.timestamp);
        }
        if (firstHour < device.commissionedAt) {
            revert CertificatesHoursBeforeCommissioning(deviceId, firstHour, device.commissionedAt);
        }
        if (firstHour < device.issuedUntil) revert CertificatesHoursOverlap(deviceId, firstHour, device.issuedUntil);
        uint256 capacityWh = device.capacityW;
        uint256 minted = 0;
        for (uint256 i = 0; i < hourCount; ++i) {
            if (whPerHour[i] > capacityWh) {
                revert CertificatesExceedsCapacity(
                    deviceId,
                    uint40(firstHour + i * Hours.SECONDS_PER_HOUR),
                    whPerHour[i],
                    capacityWh
                );
            }
            if (whPerHour[i] != 0) ++minted;
        }
        if (minted == 0) revert CertificatesZeroAmount();
        // `end` ≤ now, which fits uint40 for the next 30,000 years.
        device.issuedUntil = uint40(end);
        issueId = ++_issueCount;
        emit CertificatesIssued(issueId, deviceId, msg.sender, device.source, device.region, firstHour, whPerHour);
        _mintHours(deviceId, firstHour, whPerHour, minted);
    }

    /// @inheritdoc IGreenCertificates
    function retire(uint256 certificateId, uint256 wh, address beneficiary, string calldata purpose) external {
        if (beneficiary == address(0)) revert CertificatesInvalidBeneficiary(beneficiary);
        if (wh == 0) revert CertificatesZeroAmount();
        uint256 deviceId = certificateId >> 32;
        if (_devices[deviceId].status == DeviceStatus.Suspended) {
            revert CertificatesDeviceSuspended(certificateId, deviceId);
        }
        _burnRetired(msg.sender, certificateId, wh, beneficiary, 0, purpose);
    }

    /// @inheritdoc IGreenCertificates
    function retireForDeal(
        uint256 dealId,
        address beneficiary,
        DealLot[] calldata lots,
        uint256[] calldata retirablePerHour
    ) external onlyRole(MARKET_ROLE) returns (uint256[] memory retiredWh) {
        if (beneficiary == address(0)) revert CertificatesInvalidBeneficiary(beneficiary);
        uint256[] memory capLeft = retirablePerHour;
        retiredWh = new uint256[](lots.length);
        for (uint256 i = 0; i < lots.length; ++i) {
            retiredWh[i] = _retireLot(dealId, beneficiary, lots[i], capLeft);
        }
    }

    /// @inheritdoc IGreenCertificates
    function deviceOf(uint256 deviceId) external view returns (Device memory) {
        return _devices[deviceId];
    }

    /// @inheritdoc IGreenCertificates
    function deviceProfileOf(uint256 deviceId) external view returns (DeviceProfile memory) {
        Device storage device = _devices[deviceId];
        return
            DeviceProfile({
                owner: device.owner,
                source: device.source,
                region: device.region,
                status: device.status,
                capacityW: device.capacityW
            });
    }

    /// @inheritdoc IGreenCertificates
    function isDeviceSuspended(uint256 deviceId) external view returns (bool) {
        return _devices[deviceId].status == DeviceStatus.Suspended;
    }

    /// @inheritdoc IGreenCertificates
    function certificateIdOf(uint256 deviceId, uint40 hourStart) external pure returns (uint256) {
        return (deviceId << 32) | Hours.indexOf(hourStart);
    }

    /// @inheritdoc IGreenCertificates
    function deviceCount() external view returns (uint256) {
        return _deviceCount;
    }

    /// @inheritdoc IGreenCertificates
    function issueCount() external view returns (uint256) {
        return _issueCount;
    }

    /// @inheritdoc IERC165
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC1155, AccessControl, IERC165) returns (bool) {
        return interfaceId == type(IGreenCertificates).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev Mints the `minted` non-zero hours of `whPerHour` to the caller in one batch; hours of 0 Wh
    /// are issued (issuedUntil passed them) but mint nothing.
    function _mintHours(uint256 deviceId, uint40 firstHour, uint64[] calldata whPerHour, uint256 minted) private {
        uint256[] memory ids = new uint256[](minted);
        uint256[] memory amounts = new uint256[](minted);
        uint256 firstId = (deviceId << 32) | Hours.indexOf(firstHour);
        uint256 next = 0;
        for (uint256 i = 0; i < whPerHour.length; ++i) {
            if (whPerHour[i] == 0) continue;
            ids[next] = firstId + i;
            amounts[next] = whPerHour[i];
            ++next;
        }
        _mintBatch(msg.sender, ids, amounts, "");
    }

    function _existingDevice(uint256 deviceId) private view returns (Device storage device) {
        device = _devices[deviceId];
        if (device.owner == address(0)) revert CertificatesUnknownDevice(deviceId);
    }

    /// @dev Retires what a deal's lot can: min(its Wh, its hour's cap left, what its holder can deliver).
    function _retireLot(
        uint256 dealId,
        address beneficiary,
        DealLot calldata lot,
        uint256[] memory capLeft
    ) private returns (uint256 wh) {
        uint256 h = lot.jobHour;
        wh = lot.wh < capLeft[h] ? lot.wh : capLeft[h];
        if (wh == 0) return 0;
        uint256 deliverable = _deliverable(lot.holder, lot.certificateId);
        if (deliverable < wh) wh = deliverable;
        if (wh == 0) return 0;
        // wh ≤ capLeft[h] (taken as the minimum above).
        unchecked {
            capLeft[h] -= wh;
        }
        _burnRetired(lot.holder, lot.certificateId, wh, beneficiary, dealId, "CCEX deal");
    }

    /// @dev Wh of `certificateId` the market (the caller) may retire from `holder` now: its balance,
    /// or 0 when the device is suspended or the holder no longer lets the caller operate its certificates.
    function _deliverable(address holder, uint256 certificateId) private view returns (uint256) {
        if (_devices[certificateId >> 32].status == DeviceStatus.Suspended) return 0;
        if (!isApprovedForAll(holder, msg.sender)) return 0;
        return balanceOf(holder, certificateId);
    }

    /// @dev Burns `wh` of `holder`'s certificates of one device-hour for `beneficiary`; the caller
    /// checked the amount and the device.
    function _burnRetired(
        address holder,
        uint256 certificateId,
        uint256 wh,
        address beneficiary,
        uint256 dealId,
        string memory purpose
    ) private {
        _burn(holder, certificateId, wh);
        emit CertificatesRetired(certificateId, holder, beneficiary, wh, dealId, purpose);
    }
}
