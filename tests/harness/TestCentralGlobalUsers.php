<?php
/**
 * list=globalusers on the wikis of a central pair (tests/harness/central.py), as
 * CentralAuth's ApiQueryGlobalUsers (includes/Api/ApiQueryGlobalUsers.php, added in
 * May 2026) answers it, from the store of TestCentralIdLookup.php.
 *
 * The same parameters (prefix gus: prop, users, centralids, localgroups; users and
 * centralids as many as core allows a multi-value parameter: 50, or 500 with
 * apihighlimits), the same entries in the order asked (invalid and missing names too),
 * the same continuation when the result is full. What the store does not hold is
 * answered as CentralAuth answers an account without it: no locklogid (no lock log),
 * editcount 0 (no global edit count kept yet), no global groups or rights. No account
 * is hidden or suppressed here.
 */

use MediaWiki\User\UserNameUtils;
use Wikimedia\ParamValidator\ParamValidator;

class TestCentralGlobalUsers extends ApiQueryBase {
	/** @var UserNameUtils */
	private $userNameUtils;

	/**
	 * @param ApiQuery $query
	 * @param string $moduleName
	 * @param UserNameUtils $userNameUtils
	 */
	public function __construct( $query, $moduleName, $userNameUtils ) {
		parent::__construct( $query, $moduleName, 'gus' );
		$this->userNameUtils = $userNameUtils;
	}

	public function execute() {
		$params = $this->extractRequestParams();
		$this->requireOnlyOneParameter( $params, 'centralids', 'users' );
		$props = array_fill_keys( $params['prop'] ?? [], true );
		$useNames = isset( $params['users'] );

		$seenNames = [];
		$users = [];
		$data = [];
		foreach ( $params['users'] ?? [] as $name ) {
			$canonical = $this->userNameUtils->getCanonical( $name );
			if ( !$canonical ) {
				$data[$name] = [ 'name' => $name, 'invalid' => true ];
				$users[] = $name;
				continue;
			}
			if ( !isset( $seenNames[$canonical] ) ) {
				$seenNames[$canonical] = true;
				$users[] = $canonical;
			}
		}
		// Numeric user names became integer keys.
		$goodNames = array_map( 'strval', array_keys( $seenNames ) );
		$centralIds = $params['centralids'] ?? [];
		if ( $useNames && $goodNames === [] ) {
			$this->buildResultFromData( $data, 'users', $users );
			return;
		} elseif ( !$useNames && $centralIds === [] ) {
			$this->buildResultFromData( [], 'centralids', $centralIds );
			return;
		}

		$rows = $useNames
			? TestCentralStore::select( 'gu_name', $goodNames, WikiMap::getCurrentWikiId() )
			: TestCentralStore::select( 'gu_id', $centralIds, WikiMap::getCurrentWikiId() );
		$idMap = [];
		foreach ( $rows as $row ) {
			$idMap[(int)$row['gu_id']] = $row['gu_name'];
			$entry = [ 'centralid' => (int)$row['gu_id'], 'name' => $row['gu_name'] ];
			if ( isset( $props['locked'] ) ) {
				$entry['locked'] = (bool)$row['gu_locked'];
			}
			if ( isset( $props['editcount'] ) ) {
				$entry['editcount'] = 0;
			}
			if ( isset( $props['registration'] ) && $row['gu_registration'] !== null ) {
				$entry['registration'] = wfTimestamp( TS_ISO_8601, $row['gu_registration'] );
			}
			if ( isset( $props['localinfo'] ) ) {
				$vals = [ 'attached' => $row['lu_wiki'] !== null ];
				if ( $vals['attached'] ) {
					$vals['localid'] = $row['lu_local_id'] ? (int)$row['lu_local_id'] : null;
					$vals['timestamp'] = $row['lu_attached_timestamp']
						? wfTimestamp( TS_ISO_8601, $row['lu_attached_timestamp'] )
						: null;
				}
				$entry['localinfo'] = $vals;
			}
			foreach ( [ 'groups' => 'group', 'groupmemberships' => 'groupmembership',
				'rights' => 'right' ] as $prop => $tag
			) {
				if ( isset( $props[$prop] ) ) {
					$entry[$prop] = [];
					ApiResult::setArrayType( $entry[$prop], 'array' );
					ApiResult::setIndexedTagName( $entry[$prop], $tag );
				}
			}
			$data[$useNames ? $row['gu_name'] : (int)$row['gu_id']] = $entry;
		}

		if ( $useNames ) {
			$nameMap = array_flip( $idMap );
			foreach ( $goodNames as $name ) {
				if ( !isset( $nameMap[$name] ) ) {
					$data[$name] = [ 'name' => $name, 'missing' => true ];
				}
			}
			$paramName = 'users';
			$dataSource = $users;
			$sortBy = 'name';
		} else {
			foreach ( $centralIds as $id ) {
				if ( !isset( $idMap[$id] ) ) {
					$data[$id] = [ 'centralid' => $id, 'missing' => true ];
				}
			}
			$paramName = 'centralids';
			$dataSource = $centralIds;
			$sortBy = 'centralid';
		}
		$indexMap = array_flip( $dataSource );
		usort( $data, static function ( $a, $b ) use ( $sortBy, $indexMap ) {
			return $indexMap[$a[$sortBy]] - $indexMap[$b[$sortBy]];
		} );
		$this->buildResultFromData( $data, $paramName, $dataSource );
	}

	/**
	 * @param array $data
	 * @param string $paramName 'users' or 'centralids'
	 * @param array $dataSource What was asked for, in its order
	 */
	private function buildResultFromData( array $data, string $paramName, array $dataSource ): void {
		$result = $this->getResult();
		$path = [ 'query', $this->getModuleName() ];
		$done = [];
		foreach ( $data as $value ) {
			if ( !$result->addValue( $path, null, $value ) ) {
				$this->setContinueEnumParameter(
					$paramName, implode( '|', array_diff( $dataSource, $done ) )
				);
				break;
			}
			$done[] = $paramName === 'users' ? (string)$value['name'] : (int)$value['centralid'];
		}
		$result->addIndexedTagName( $path, 'globaluser' );
	}

	protected function getAllowedParams() {
		return [
			'prop' => [
				ParamValidator::PARAM_ISMULTI => true,
				ParamValidator::PARAM_TYPE => [
					'locked',
					'editcount',
					'registration',
					'localinfo',
					'groups',
					'groupmemberships',
					'rights',
				],
				ApiBase::PARAM_HELP_MSG_PER_VALUE => [],
			],
			'users' => [
				ParamValidator::PARAM_ISMULTI => true,
			],
			'centralids' => [
				ParamValidator::PARAM_ISMULTI => true,
				ParamValidator::PARAM_TYPE => 'integer',
			],
			'localgroups' => [
				ParamValidator::PARAM_TYPE => 'boolean',
			],
		];
	}
}
